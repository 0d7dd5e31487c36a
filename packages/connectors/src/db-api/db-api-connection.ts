import { DbApiCursor } from './db-api-cursor';
import type { DbSession } from './db-session';

/**
 * The PEP 249 connection object, the `wrappedClient` of every SQL proxy client: `cursor()`, `commit()`,
 * `rollback()`, `close()`. Statements run in autocommit mode unless the caller opens a transaction (`BEGIN` /
 * `START TRANSACTION`); `commit()` and `rollback()` then end it, and are harmless otherwise.
 */
export class DbApiConnection {
  readonly #session: DbSession;

  constructor(session: DbSession) {
    this.#session = session;
  }

  cursor(): DbApiCursor {
    this.#session.assertOpen();
    return new DbApiCursor(this.#session);
  }

  async commit(): Promise<null> {
    await this.#session.commit();
    return null;
  }

  async rollback(): Promise<null> {
    await this.#session.rollback();
    return null;
  }

  get closed(): boolean {
    return this.#session.closed;
  }

  async close(): Promise<null> {
    await this.#session.close();
    return null;
  }
}
