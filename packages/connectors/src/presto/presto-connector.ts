import { type ConnectorFactory, validate } from '@artemis/core';
import { createSqlProxyClient } from '../db-api/db-proxy-client';
import { resolveStatementEndpoint, statementCredentialsSchema } from '../trino/statement-endpoint';
import { trinoErrors } from '../trino/trino-errors';
import { connectPresto } from './presto-driver';

/** Connection type `presto` (SPEC §5): prestodb's DB-API over presto-client; loaded on first use. */
export const create: ConnectorFactory = async (credentials, context) => {
  const { connect_args: args } = validate(statementCredentialsSchema, credentials, 'presto credentials');
  const endpoint = await resolveStatementEndpoint(args, { port: 8889, scheme: 'http' }, context);
  return createSqlProxyClient(await connectPresto(endpoint), trinoErrors);
};

export { statementCredentialsSchema as credentialsSchema } from '../trino/statement-endpoint';
export { credentialPipeline } from './presto-ctp';
