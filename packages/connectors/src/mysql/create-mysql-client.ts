import { type ConnectorContext, type Credentials, guardedTcpTarget, type ProxyClient, validate } from '@artemis/core';
import { createSqlProxyClient } from '../db-api/db-proxy-client';
import { resolveMysqlConnection } from './mysql-connection-config';
import { mysqlCredentialsSchema } from './mysql-credentials';
import { connectMysql } from './mysql-driver';
import { mysqlErrors } from './mysql-errors';

export async function createMysqlClient(credentials: Credentials, context: ConnectorContext): Promise<ProxyClient> {
  const parsed = validate(mysqlCredentialsSchema, credentials, `${context.connectionType} credentials`);
  const resolved = await resolveMysqlConnection(parsed, {
    operationTimeoutSeconds: context.config.operationTimeoutSeconds,
    tempFolder: context.config.tempFolder,
  });
  const { host = 'localhost', port = 3306 } = resolved.options;
  const target = await guardedTcpTarget(context.network, host, port);
  const driver = await connectMysql(resolved, target, context.logger);
  return createSqlProxyClient(driver, mysqlErrors, context);
}
