import type { SqlErrorMapping } from '../db-api/db-proxy-client';

/** The `error` of a failed statement in a `/v1/statement` answer. */
export interface StatementError {
  readonly message?: string;
  readonly errorCode?: number;
  readonly errorName?: string;
  readonly errorType?: string;
}

/**
 * A statement the server failed, named and worded as trino-python (`TrinoUserError(type=USER_ERROR,
 * name=SYNTAX_ERROR, message="…", query_id=…)`) or presto-python-client (`PrestoUserError(…)`) raise it, so the
 * control plane reads the same `__mcd_exception__` it did from Apollo.
 */
export class StatementFailedError extends Error {
  readonly errorCode: number | undefined;
  readonly errorName: string | undefined;
  readonly errorType: string | undefined;
  readonly queryId: string | undefined;

  constructor(engine: 'Trino' | 'Presto', error: StatementError, queryId: string | undefined) {
    const kind = KINDS[error.errorType ?? ''] ?? 'QueryError';
    super(
      `${engine}${kind}(type=${error.errorType ?? 'UNKNOWN'}, name=${error.errorName ?? 'UNKNOWN'}, ` +
        `message="${error.message ?? ''}", query_id=${queryId ?? 'None'})`,
    );
    this.name = `${engine}${kind}`;
    this.errorCode = error.errorCode;
    this.errorName = error.errorName;
    this.errorType = error.errorType;
    this.queryId = queryId;
  }
}

/**
 * A request of the statement protocol that got no statement answer: an HTTP error status (401 with a wrong
 * password, 503 while the coordinator starts) or no answer at all. The message carries the server's text, never the
 * request (whose headers hold the credentials).
 */
export class StatementHttpError extends Error {
  readonly statusCode: number | undefined;

  constructor(statusCode: number | undefined, detail: string) {
    super(
      statusCode === undefined ? `Request failed: ${detail}` : `HTTP error ${statusCode}: ${detail.slice(0, 2000)}`,
    );
    this.name = 'OperationalError';
    this.statusCode = statusCode;
  }
}

const KINDS: Readonly<Record<string, string>> = {
  USER_ERROR: 'UserError',
  EXTERNAL: 'ExternalError',
  INTERNAL_ERROR: 'InternalError',
  INSUFFICIENT_RESOURCES: 'QueryError',
};

/** Error names of a statement stopped by a cancel or a limit, and of a missing privilege. */
const CANCELED = new Set(['USER_CANCELED', 'ADMINISTRATIVELY_KILLED', 'EXCEEDED_TIME_LIMIT', 'ABANDONED_QUERY']);

/**
 * Trino/Presto errors: `QueryCanceled` (a cancel or a time limit), `InsufficientPrivilege` (PERMISSION_DENIED),
 * `DatabaseError` for every other failure of the server or the connection; attributes as the Python error carries
 * them (`error_code`, `error_name`, `error_type`, `query_id`), or the HTTP `status_code` of a refused request.
 */
export const trinoErrors: SqlErrorMapping = {
  errorType(error) {
    if (error instanceof StatementFailedError) {
      if (CANCELED.has(error.errorName ?? '')) return 'QueryCanceled';
      if (error.errorName === 'PERMISSION_DENIED') return 'InsufficientPrivilege';
      return 'DatabaseError';
    }
    return error instanceof Error ? 'DatabaseError' : undefined;
  },
  errorAttrs(error) {
    if (error instanceof StatementFailedError) {
      return {
        error_code: error.errorCode ?? null,
        error_name: error.errorName ?? null,
        error_type: error.errorType ?? null,
        query_id: error.queryId ?? null,
      };
    }
    const status = (error as { statusCode?: unknown } | null)?.statusCode;
    return typeof status === 'number' ? { status_code: status } : undefined;
  },
};
