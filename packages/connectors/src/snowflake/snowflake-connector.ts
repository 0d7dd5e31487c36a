import { type ConnectorFactory, validate, withParameters } from '@artemis/core';
import type { DbApiConnection } from '../db-api/db-api-connection';
import { fetchRows } from '../db-api/db-api-cursor';
import { createSqlProxyClient } from '../db-api/db-proxy-client';
import { snowflakeCredentialsSchema } from './snowflake-credentials';
import { connectSnowflake } from './snowflake-driver';
import { snowflakeErrors } from './snowflake-errors';
import { executeRestRequest } from './snowflake-rest-request';
import { sqlQueryResponse } from './sql-query-response';

/**
 * Connection type `snowflake` (SPEC §5): snowflake-connector-python's DB-API over snowflake-sdk, plus Apollo's
 * extensions `execute_sql_query(sql_query, max_results, query_timeout)` and
 * `execute_rest_request(method, path, body, timeout)`. Loaded on first use.
 */
export const create: ConnectorFactory = async (credentials, context) => {
  const { connect_args: args } = validate(snowflakeCredentialsSchema, credentials, 'snowflake credentials');
  const session = await connectSnowflake(args, context);
  const client = createSqlProxyClient(session.driver, snowflakeErrors);
  const connection = client.wrappedClient as DbApiConnection;

  const executeSqlQuery = withParameters(
    ['sql_query', 'max_results', 'query_timeout'],
    async (sqlQuery: unknown, maxResults: unknown, queryTimeout: unknown) => {
      const limit = Number(maxResults);
      const cursor = connection.cursor();
      try {
        await cursor.execute(sqlQuery as string, null, queryTimeout ?? undefined);
        const rows = await fetchRows(cursor, limit + 1);
        return sqlQueryResponse(cursor.description ?? [], rows, limit);
      } finally {
        await cursor.close();
      }
    },
  );
  const executeRest = withParameters(
    ['method', 'path', 'body', 'timeout'],
    (method: unknown, path: unknown, body?: unknown, timeout?: unknown) =>
      executeRestRequest(context, session.accessUrl, session.sessionToken(), { method, path, body, timeout }),
  );
  return { ...client, execute_sql_query: executeSqlQuery, execute_rest_request: executeRest };
};

export { snowflakeCredentialsSchema as credentialsSchema } from './snowflake-credentials';
export { credentialPipeline } from './snowflake-ctp';
