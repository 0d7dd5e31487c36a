import { OperationError } from '@artemis/core';

/**
 * The DB-API 2.0 exceptions the facade raises itself (PEP 249), under their Python names: misuse the driver never
 * sees (fetching before `execute`, a placeholder without a value, a closed cursor, a malformed connection string).
 * Driver errors pass through untouched and are typed by the connector's `errorType` hook; these carry their type,
 * `DatabaseError` as the hook gives every database failure, so the control plane sees the same for both.
 */
export class DbApiError extends OperationError {
  override readonly errorType = 'DatabaseError';
}

/** The caller did something the DB-API forbids: bad parameters, fetch without a result set, an invalid DSN. */
export class ProgrammingError extends DbApiError {}

/** The cursor or connection was used after `close()`. */
export class InterfaceError extends DbApiError {}
