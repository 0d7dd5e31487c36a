import { type ConnectorContext, type Credentials, guardedTcpTarget, type ProxyClient, validate } from '@artemis/core';
import { createSqlProxyClient } from '../db-api/db-proxy-client';
import { type PostgresDefaults, resolvePostgresConnection } from './postgres-connection-config';
import { postgresCredentialsSchema } from './postgres-credentials';
import { connectPostgres } from './postgres-driver';
import { postgresErrors } from './postgres-errors';

/** The postgres and redshift connectors: one connection per proxy client, presented as a DB-API connection. */
export async function createPostgresClient(
  credentials: Credentials,
  context: ConnectorContext,
  defaults: PostgresDefaults,
): Promise<ProxyClient> {
  const parsed = validate(postgresCredentialsSchema, credentials, `${context.connectionType} credentials`);
  const resolved = await resolvePostgresConnection(parsed, defaults, {
    operationTimeoutSeconds: context.config.operationTimeoutSeconds,
    tempFolder: context.config.tempFolder,
  });
  const target = await guardedTcpTarget(context.network, resolved.address, resolved.port);
  const driver = await connectPostgres(resolved, target, context.logger);
  return createSqlProxyClient(driver, postgresErrors, context);
}
