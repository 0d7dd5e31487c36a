import type { ConnectorFactory } from '@artemis/core';
import { createPostgresClient } from './create-postgres-client';
import { POSTGRES_DEFAULTS } from './postgres-connection-config';

/** Connection type `postgres` (SPEC §5); loaded by the native catalog on first use. */
export const create: ConnectorFactory = (credentials, context) =>
  createPostgresClient(credentials, context, POSTGRES_DEFAULTS);

export { postgresCredentialsSchema as credentialsSchema } from './postgres-credentials';
export { credentialPipeline } from './postgres-ctp';
