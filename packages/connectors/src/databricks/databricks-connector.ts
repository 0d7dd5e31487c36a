import { type ConnectorFactory, validate } from '@artemis/core';
import { createSqlProxyClient } from '../db-api/db-proxy-client';
import { databricksCredentialsSchema } from './databricks-credentials';
import { connectDatabricks } from './databricks-driver';
import { databricksErrors } from './databricks-errors';

/**
 * Connection type `databricks` (SPEC §5): Apollo's DatabricksSqlWarehouseProxyClient, databricks-sql-connector's
 * DB-API over a SQL warehouse, served by `@databricks/sql` (loaded on first use). `_client` is the connection:
 * `cursor()`, `execute(query, params=None)` (pyformat `%s` / `%(name)s` become native parameters), `fetch*`,
 * `description` (Python's: type names, DECIMAL precision and scale), `rowcount`.
 */
export const create: ConnectorFactory = async (credentials, context) => {
  const { connect_args: args } = validate(databricksCredentialsSchema, credentials, 'databricks credentials');
  return createSqlProxyClient(await connectDatabricks(args, context), databricksErrors);
};

export { databricksCredentialsSchema as credentialsSchema } from './databricks-credentials';
export { credentialPipeline } from './databricks-ctp';
