import type { Agent } from 'node:http';
import { type ConnectorContext, ForbiddenError, guardedAgent } from '@artemis/core';

type DatabricksModule = typeof import('@databricks/sql');
type DBSQLClient = InstanceType<DatabricksModule['DBSQLClient']>;
type ConnectionProvider = Awaited<ReturnType<DBSQLClient['getConnectionProvider']>>;
type RetryPolicy = Awaited<ReturnType<ConnectionProvider['getRetryPolicy']>>;

/** Set on a refusal of the SSRF guard, so it can be told apart once node-fetch has wrapped it in a FetchError. */
const REFUSED = 'ERR_ARTEMIS_DESTINATION_REFUSED';

export interface GuardedDbsqlClient {
  readonly client: DBSQLClient;
  /** The guard's refusal behind a driver error (node-fetch wraps it), to answer it as the `Forbidden` it is. */
  refusalOf(error: unknown): ForbiddenError | undefined;
}

export interface TransportOptions {
  readonly ca: string | undefined;
  readonly rejectUnauthorized: boolean;
  readonly socketTimeoutMs: number;
}

/**
 * A `DBSQLClient` whose every request goes through the SSRF guard. The driver takes the HTTP agent of all its
 * requests from its connection provider's `getAgent()` (the Thrift transport, cloud-fetch result downloads, staging
 * transfers, telemetry, its own OAuth flows), and creates that provider in `createConnectionProvider`, which is
 * private in its typings: this client's provider answers one guarded https agent (pinned to addresses the guard
 * checked; TLS verified against the host name, with the connection's CA). After connecting, `assertGuarded` checks
 * that the Thrift transport really holds that agent, so a driver release that moved it fails loudly instead of
 * running unguarded.
 *
 * The driver retries a failed request (its HttpRetryPolicy, with backoff); a refusal of the guard is not worth
 * retrying, so the provider's retry policy gives up on one at once.
 */
export function createGuardedDbsqlClient(
  sql: DatabricksModule,
  context: ConnectorContext,
  transport: TransportOptions,
): GuardedDbsqlClient & { readonly agent: Agent; assertGuarded(): Promise<void> } {
  let lastRefusal: ForbiddenError | undefined;
  const agent = guardedAgent(context.network, {
    https: true,
    keepAlive: true,
    keepAliveMsecs: 10_000,
    timeout: transport.socketTimeoutMs,
    minVersion: 'TLSv1.2',
    rejectUnauthorized: transport.rejectUnauthorized,
    ...(transport.ca !== undefined ? { ca: transport.ca } : {}),
  });
  const createConnection = agent.createConnection.bind(agent) as (
    options: object,
    callback: (error: Error | null, socket?: unknown) => void,
  ) => undefined;
  (agent as unknown as { createConnection: typeof createConnection }).createConnection = (options, callback) =>
    createConnection(options, (error, socket) => {
      if (error instanceof ForbiddenError) {
        lastRefusal = error;
        Object.assign(error, { code: REFUSED });
      }
      callback(error, socket);
    });
  const refusalOf = (error: unknown): ForbiddenError | undefined => {
    if (error instanceof ForbiddenError) return error;
    if ((error as { code?: unknown } | null)?.code !== REFUSED) return undefined;
    return lastRefusal ?? new ForbiddenError(String((error as Error).message));
  };

  const client = new sql.DBSQLClient({ logger: driverLogger(context) });
  const internals = client as unknown as { createConnectionProvider?: (options: unknown) => ConnectionProvider };
  const create = internals.createConnectionProvider?.bind(client);
  if (typeof create !== 'function') {
    throw new Error(
      '@databricks/sql has no createConnectionProvider where Artemis expects it: refusing an unguarded client',
    );
  }
  internals.createConnectionProvider = (options) => {
    const provider = create(options);
    const retryPolicy = provider.getRetryPolicy.bind(provider);
    Object.assign(provider, {
      getAgent: async () => agent,
      getRetryPolicy: async () => withoutRetryOnRefusal(await retryPolicy(), refusalOf),
    });
    return provider;
  };
  return {
    client,
    agent,
    refusalOf,
    async assertGuarded() {
      const thrift = (await (await client.getConnectionProvider()).getThriftConnection()) as {
        config?: { agent?: unknown };
      };
      if (thrift?.config?.agent !== agent) {
        throw new Error(
          '@databricks/sql does not send its Thrift requests through the guarded agent: refusing the client',
        );
      }
    },
  };
}

function withoutRetryOnRefusal(policy: RetryPolicy, refusalOf: (error: unknown) => ForbiddenError | undefined) {
  return {
    shouldRetry: policy.shouldRetry.bind(policy),
    invokeWithRetry: (operation: Parameters<RetryPolicy['invokeWithRetry']>[0]) =>
      policy.invokeWithRetry(async () => {
        try {
          return await operation();
        } catch (error) {
          // Not a network error the policy retries: it is rethrown as it is.
          throw refusalOf(error) ?? error;
        }
      }),
  } as RetryPolicy;
}

/** The driver's log lines, at debug level only: they name hosts and operations, never credentials. */
function driverLogger(context: ConnectorContext) {
  return {
    log: (level: string, message: string) => context.logger.debug(`databricks-sql ${level}: ${message}`),
  } as unknown as NonNullable<ConstructorParameters<DatabricksModule['DBSQLClient']>[0]>['logger'];
}
