import type { ConnectorFactory } from '@artemis/core';
import { createPostgresClient } from '../postgres/create-postgres-client';
import { REDSHIFT_DEFAULTS } from '../postgres/postgres-connection-config';

/**
 * Connection type `redshift`: Redshift speaks the PostgreSQL protocol, so this is the postgres connector with
 * Redshift's defaults (port 5439, sslmode `require`). Both can be overridden in `connect_args`.
 */
export const create: ConnectorFactory = (credentials, context) =>
  createPostgresClient(credentials, context, REDSHIFT_DEFAULTS);

export { postgresCredentialsSchema as credentialsSchema } from '../postgres/postgres-credentials';
export { credentialPipeline } from './redshift-ctp';
