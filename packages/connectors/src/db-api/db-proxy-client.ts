import { AgentError, type ConnectorContext, type ProxyClient } from '@artemis/core';
import { DbApiConnection } from './db-api-connection';
import { DbSession } from './db-session';
import { currentOperationScope } from './operation-scope';
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
    // The operation succeeded: its cursors die with its context, so close the server-side cursors they left open.
    processResult: async (result) => {
      await session.finishScope(currentOperationScope());
      return result;
    },
    // The failure path's only hook: besides naming the error, cancel what the failed operation still runs on the
    // server (an operation timeout leaves its statement running) and close what it left open.
    errorType: (error) => {
      void session.abandonScope(currentOperationScope()).catch(() => undefined);
      return error instanceof AgentError ? undefined : errors.errorType(error);
    },
    errorAttrs: (error) => (error instanceof AgentError ? undefined : errors.errorAttrs(error)),
    close: () => session.close(),
  };
}
