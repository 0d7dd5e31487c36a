import type { SqlErrorMapping } from '../db-api/db-proxy-client';

const QUERY_CANCELED = new Set([
  1317, // ER_QUERY_INTERRUPTED (KILL QUERY)
  3024, // ER_QUERY_TIMEOUT (MySQL max_execution_time)
  1969, // ER_STATEMENT_TIMEOUT (MariaDB max_statement_time)
]);

const INSUFFICIENT_PRIVILEGE = new Set([
  1044, // ER_DBACCESS_DENIED_ERROR
  1045, // ER_ACCESS_DENIED_ERROR
  1142, // ER_TABLEACCESS_DENIED_ERROR
  1143, // ER_COLUMNACCESS_DENIED_ERROR
  1227, // ER_SPECIFIC_ACCESS_DENIED_ERROR
  1370, // ER_PROCACCESS_DENIED_ERROR
]);

interface ServerError {
  readonly errno: number;
  readonly code?: string;
  readonly sqlState?: string;
}

function isServerError(error: unknown): error is ServerError {
  return error instanceof Error && typeof (error as { errno?: unknown }).errno === 'number';
}

/** MySQL and MariaDB errors, typed like PostgreSQL's; attributes carry the `ER_*` code, errno and SQLSTATE. */
export const mysqlErrors: SqlErrorMapping = {
  errorType(error) {
    if (isServerError(error)) {
      if (QUERY_CANCELED.has(error.errno)) return 'QueryCanceled';
      if (INSUFFICIENT_PRIVILEGE.has(error.errno)) return 'InsufficientPrivilege';
    }
    return error instanceof Error ? 'DatabaseError' : undefined;
  },
  errorAttrs(error) {
    if (isServerError(error)) {
      const attrs: Record<string, unknown> = { errno: error.errno };
      if (error.code) attrs.code = error.code;
      if (error.sqlState) attrs.sqlstate = error.sqlState;
      return attrs;
    }
    const code = (error as { code?: unknown } | null)?.code;
    return typeof code === 'string' ? { code } : undefined;
  },
};
