import { AgentError, type ConnectorContext, type ProxyClient } from '@artemis/core';
import { DbApiConnection } from './db-api-connection';
import { DbSession } from './db-session';
import { QueryExporter } from './query-export';
import type { SqlDriver } from './sql-driver';

/** How a driver's errors are reported: `__mcd_error_type__` and `__mcd_error_attrs__` (SPEC §4). */
export interface SqlErrorMapping {
  errorType(error: unknown): string | undefined;
  errorAttrs(error: unknown): Readonly<Record<string, unknown>> | undefined;
}

/** A SQL connector's proxy client: the DB-API connection as `wrappedClient`, the driver's error mapping. */
export function createSqlProxyClient(
  driver: SqlDriver,
  errors: SqlErrorMapping,
  context?: ConnectorContext,
): ProxyClient {
  const session = new DbSession(driver, context ? new QueryExporter(context) : undefined);
  return {
    wrappedClient: new DbApiConnection(session),
    // Whatever the outcome, the operation's cursors die with it: cancel the statement it still runs (a timeout
    // leaves one running on the server) and close the server-side cursors it left open.
    endOperation: ({ operation }) => session.endOperation(operation),
    // The agent's own errors keep their type; the driver's are named by the mapping. Naming has no side effects.
    errorType: (error) => (error instanceof AgentError ? undefined : errors.errorType(error)),
    errorAttrs: (error) => (error instanceof AgentError ? undefined : errors.errorAttrs(error)),
    close: () => session.close(),
  };
}
