import * as z from 'zod/mini';
import type { ConnectorCatalog, Credentials } from '../../src/connectors/proxy-client';

/**
 * A connector that answers `credentials()` with the credentials it was created with, so the merge of fetched and
 * request values is observable through the execute route. Its schema is what the validate route checks.
 */
export const echoCredentialsSchema = z.object({
  connect_args: z.object({ host: z.string(), user: z.string(), password: z.string(), port: z.optional(z.number()) }),
});

export const echoConnectors: ConnectorCatalog = {
  echo: async () => ({
    create: (credentials: Credentials) => ({ extensions: { credentials: () => credentials } }),
    credentialsSchema: echoCredentialsSchema,
  }),
  'no-schema': async () => ({ create: () => ({}) }),
};

/** The body of an execute request that asks the echo connector for its credentials. */
export function echoRequest(credentials: unknown, traceId = 'trace-1') {
  return { credentials, operation: { trace_id: traceId, commands: [{ method: 'credentials' }] } };
}

export const ECHO_PATH = '/api/v1/agent/execute/echo/read_credentials';
