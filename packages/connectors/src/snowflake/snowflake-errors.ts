import { ProgrammingError } from '../db-api/db-api-errors';
import type { SqlErrorMapping } from '../db-api/db-proxy-client';

/**
 * snowflake-connector-python's errors: a failed statement is a `ProgrammingError`, any other failure of the
 * database or the connection (login refused, network) a `DatabaseError`, each with `errno` (an int) and
 * `sqlstate`, worded as Python prints them: `001003 (42000): <query id>: SQL compilation error: …`.
 */
export class SnowflakeError extends Error {
  readonly errno: number | null;
  readonly sqlstate: string | null;

  constructor(kind: 'ProgrammingError' | 'DatabaseError', cause: unknown) {
    const { code, sqlState, message, data } = (cause ?? {}) as {
      code?: unknown;
      sqlState?: unknown;
      message?: unknown;
      data?: { queryId?: unknown } | null;
    };
    const errno =
      typeof code === 'number' ? code : typeof code === 'string' && /^\d+$/.test(code) ? Number(code) : null;
    const sqlstate = typeof sqlState === 'string' ? sqlState : null;
    const queryId = typeof data?.queryId === 'string' ? data.queryId : undefined;
    const text = typeof message === 'string' ? message : String(cause);
    const padded = errno === null ? '' : String(errno).padStart(6, '0');
    const prefix =
      errno === null ? '' : `${padded}${sqlstate ? ` (${sqlstate})` : ''}: ${queryId ? `${queryId}: ` : ''}`;
    super(`${prefix}${text}`, { cause });
    this.name = kind;
    this.errno = errno;
    this.sqlstate = sqlstate;
  }
}

export const snowflakeErrors: SqlErrorMapping = {
  errorType(error) {
    if (error instanceof SnowflakeError || error instanceof ProgrammingError) return error.name;
    return error instanceof Error ? 'DatabaseError' : undefined;
  },
  errorAttrs(error) {
    return error instanceof SnowflakeError ? { errno: error.errno, sqlstate: error.sqlstate } : undefined;
  },
};
