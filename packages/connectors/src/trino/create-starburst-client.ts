import { type ConnectorContext, type Credentials, type ProxyClient, validate } from '@artemis/core';
import { createSqlProxyClient } from '../db-api/db-proxy-client';
import { resolveStatementEndpoint, type StatementEndpoint, statementCredentialsSchema } from './statement-endpoint';
import { connectTrino } from './trino-driver';
import { trinoErrors } from './trino-errors';

/**
 * Apollo's StarburstProxyClient: trino's DB-API over `connect_args` (host, port, user + password as Basic auth,
 * catalog, schema, `verify`), HTTPS on 443 unless told otherwise. A user and a password are required, as in Apollo.
 */
export async function createStarburstClient(
  credentials: Credentials,
  context: ConnectorContext,
): Promise<{ client: ProxyClient; endpoint: StatementEndpoint }> {
  const { connect_args: args } = validate(
    statementCredentialsSchema,
    credentials,
    `${context.connectionType} credentials`,
  );
  if (!args.user || args.password === undefined || args.password === null) {
    throw new MissingCredentialError(context.connectionType, !args.user ? 'user' : 'password');
  }
  const endpoint = await resolveStatementEndpoint(args, { port: 443, scheme: 'https' }, context);
  const driver = await connectTrino(endpoint);
  return { client: createSqlProxyClient(driver, trinoErrors), endpoint };
}

/** Apollo's message when `user` or `password` is missing (the values themselves are never shown). */
export class MissingCredentialError extends Error {
  constructor(connectionType: string, key: string) {
    super(
      `${connectionType === 'starburst-enterprise' ? 'Starburst Enterprise' : 'Starburst'} agent client requires 'user' and 'password' in connect_args (missing: ${key})`,
    );
    this.name = 'ValueError';
  }
}
