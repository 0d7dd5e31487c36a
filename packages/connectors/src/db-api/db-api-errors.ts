/**
 * The DB-API 2.0 exceptions the facade raises itself (PEP 249). Driver errors pass through untouched; these cover
 * misuse the driver never sees (fetching before `execute`, a placeholder without a value, a closed cursor).
 * Plain `Error`s, not AgentErrors: they are database failures, typed by the connector's `errorType` hook.
 */
export class DbApiError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The caller did something the DB-API forbids: bad parameters, fetch without a result set. */
export class ProgrammingError extends DbApiError {}

/** The cursor or connection was used after `close()`. */
export class InterfaceError extends DbApiError {}
