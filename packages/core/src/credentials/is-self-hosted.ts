import type { Credentials } from '../connectors/proxy-client';

/** The envelope key that turns request credentials into a pointer to the customer's own store (SPEC §9). */
export const SELF_HOSTED_TYPE_KEY = 'self_hosted_credentials_type';

/**
 * True when the credentials name a store rather than carry the secret. Kept in its own tiny module so that
 * `createAgent` can decide without loading the credentials code (the health path never pays for it).
 */
export function isSelfHosted(credentials: Credentials): boolean {
  return Object.hasOwn(credentials, SELF_HOSTED_TYPE_KEY) && credentials[SELF_HOSTED_TYPE_KEY] != null;
}
