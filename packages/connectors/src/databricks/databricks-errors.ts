import type { SqlErrorMapping } from '../db-api/db-proxy-client';

/** What the server said about a failed statement: an operation status, or the status of the call itself. */
interface ServerStatus {
  readonly displayMessage?: string | null;
  readonly errorMessage?: string | null;
  readonly sqlState?: string | null;
  readonly errorDetailsJson?: string | null;
}

/**
 * A statement the warehouse failed or stopped, named as databricks-sql-connector raises it (`ServerOperationError`,
 * whose message is the server's display message: `[TABLE_OR_VIEW_NOT_FOUND] The table or view … SQLSTATE: 42P01`),
 * with its SQLSTATE, error class and operation id.
 */
export class ServerOperationError extends Error {
  readonly sqlstate: string | null;
  readonly errorClass: string | null;
  readonly operationId: string | null;
  readonly canceled: boolean;

  constructor(status: ServerStatus, options: { operationId?: string | null; canceled?: boolean; fallback: string }) {
    super(status.displayMessage || status.errorMessage || options.fallback);
    this.name = 'ServerOperationError';
    this.sqlstate = status.sqlState || null;
    this.errorClass = errorClassOf(status);
    this.operationId = options.operationId ?? null;
    this.canceled = options.canceled ?? false;
  }
}

/**
 * A request to the warehouse that got no Thrift answer (databricks-sql-connector's `RequestError`): an HTTP error
 * status (401 with a wrong token, 503 while it starts), or no answer at all. The message names the status, never the
 * request (whose headers hold the token).
 */
export class RequestError extends Error {
  readonly statusCode: number | null;

  constructor(detail: string, statusCode: number | null, cause?: unknown) {
    super(`Error during request to server: ${detail}`, { cause });
    this.name = 'RequestError';
    this.statusCode = statusCode;
  }
}

function errorClassOf(status: ServerStatus): string | null {
  try {
    const details = JSON.parse(status.errorDetailsJson ?? '') as { errorClass?: unknown };
    if (typeof details.errorClass === 'string') return details.errorClass;
  } catch {
    // No details: the class is the bracketed prefix of the message, when there is one.
  }
  return /^\[([A-Z][A-Z0-9_.]*)\]/.exec(status.displayMessage ?? status.errorMessage ?? '')?.[1] ?? null;
}

const PRIVILEGE = /INSUFFICIENT_PERMISSIONS|PERMISSION_DENIED|INSUFFICIENT_PRIVILEGES/;

/**
 * Databricks errors for the envelope: `QueryCanceled` (cancelled or timed out on the server), `InsufficientPrivilege`
 * (SQLSTATE 42501 or a permission error class), `DatabaseError` for every other failure; attributes
 * `{sqlstate, error_class, operation_id}` of a failed statement, `{status_code}` of a refused request.
 */
export const databricksErrors: SqlErrorMapping = {
  errorType(error) {
    if (error instanceof ServerOperationError) {
      if (error.canceled) return 'QueryCanceled';
      if (error.sqlstate === '42501' || PRIVILEGE.test(error.errorClass ?? '')) return 'InsufficientPrivilege';
      return 'DatabaseError';
    }
    return error instanceof Error ? 'DatabaseError' : undefined;
  },
  errorAttrs(error) {
    if (error instanceof ServerOperationError) {
      return { sqlstate: error.sqlstate, error_class: error.errorClass, operation_id: error.operationId };
    }
    if (error instanceof RequestError && error.statusCode !== null) return { status_code: error.statusCode };
    return undefined;
  },
};
