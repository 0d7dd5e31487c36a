import type { SqlErrorMapping } from '../db-api/db-proxy-client';

/** SQLSTATEs with an error type of their own (psycopg2's QueryCanceled and InsufficientPrivilege, as Apollo). */
const TYPES_BY_SQLSTATE: Readonly<Record<string, string>> = {
  '57014': 'QueryCanceled',
  '42501': 'InsufficientPrivilege',
};

/** Fields of a server error (pg-protocol's DatabaseError) worth returning: none carries credentials. */
const SERVER_FIELDS = ['severity', 'detail', 'hint', 'position', 'schema', 'table', 'column', 'constraint', 'routine'];

interface ServerError {
  readonly code: string;
  readonly [field: string]: unknown;
}

function isServerError(error: unknown): error is ServerError {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && 'severity' in error;
}

/**
 * PostgreSQL and Redshift errors: `QueryCanceled` (57014: statement timeout, cancel request),
 * `InsufficientPrivilege` (42501), `DatabaseError` for every other failure of the database or the connection.
 * Attributes carry the SQLSTATE as `pgcode` (psycopg2's name) and `sqlstate`, with the server's detail fields.
 */
export const postgresErrors: SqlErrorMapping = {
  errorType(error) {
    if (isServerError(error)) return TYPES_BY_SQLSTATE[error.code] ?? 'DatabaseError';
    return error instanceof Error ? 'DatabaseError' : undefined;
  },
  errorAttrs(error) {
    if (isServerError(error)) {
      const attrs: Record<string, unknown> = { pgcode: error.code, sqlstate: error.code };
      for (const field of SERVER_FIELDS) {
        const value = error[field];
        if (value !== undefined && value !== null && value !== '') attrs[field] = value;
      }
      return attrs;
    }
    const code = (error as { code?: unknown } | null)?.code;
    return typeof code === 'string' ? { code } : undefined;
  },
};
