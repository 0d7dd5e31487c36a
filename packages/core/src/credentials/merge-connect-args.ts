import type { Credentials } from '../connectors/proxy-client';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * SPEC §9 / apollo-inventory §5.2 (`_merge_connect_args`): the result is the fetched document; the request's
 * `connect_args` fill in what the document's `connect_args` does not set (fetched values win). A connection string
 * on either side is not merged: the fetched document is used as it is. Other top-level envelope keys never reach
 * the connector.
 */
export function mergeConnectArgs(fetched: Json, requestConnectArgs: unknown): Credentials {
  if (requestConnectArgs === undefined || requestConnectArgs === null) return fetched;
  if (!Object.hasOwn(fetched, 'connect_args')) return { ...fetched, connect_args: requestConnectArgs };
  const fetchedConnectArgs = fetched.connect_args;
  if (!isObject(fetchedConnectArgs) || !isObject(requestConnectArgs)) return fetched;
  return { ...fetched, connect_args: { ...requestConnectArgs, ...fetchedConnectArgs } };
}
