import type { Credentials } from '../connectors/proxy-client';
import { isPlainObject } from './template/template-values';

/**
 * What a credential pipeline reads as `raw` (Apollo's CtpRegistry.resolve): flat credentials as they are, or
 * `{…siblings, …connect_args}` when they are pre-shaped. Undefined when they pass unchanged: empty credentials, or
 * a `connect_args` that is not an object (a connection string).
 */
export function rawCredentials(credentials: Credentials): Record<string, unknown> | undefined {
  if (Object.keys(credentials).length === 0) return undefined;
  const { connect_args: connectArgs, ...siblings } = credentials;
  if (connectArgs === undefined || connectArgs === null) return siblings;
  return isPlainObject(connectArgs) ? { ...siblings, ...connectArgs } : undefined;
}
