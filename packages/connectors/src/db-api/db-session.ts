import { InterfaceError } from './db-api-errors';
import type { PlaceholderStyle } from './placeholders';
import type { ResultStream, Row, SqlDriver } from './sql-driver';

/** A result set still open on the server, and what to do with it when its connection is needed or released. */
export interface OpenResult {
  readonly scope: object;
  /** Reads the remaining rows into memory and closes the server-side cursor (another statement needs the wire). */
  detach(): Promise<void>;
  /** Closes the server-side cursor, dropping the rows not yet fetched (the operation that opened it is over). */
  discard(): Promise<void>;
}

/**
 * One database connection shared by the cursors of a proxy client. A connection runs one statement at a time, and
 * an open server-side cursor occupies it until closed, so:
 * - a new statement of the same operation first detaches that operation's open results (DB-API lets a caller
 *   interleave two cursors; the earlier one's remaining rows move to memory);
 * - statements of another operation queue in the driver behind it;
 * - when an operation ends, its open results are discarded (its cursors die with its context), and when it fails,
 *   a statement it still has running is cancelled on the server.
 */
export class DbSession {
  readonly #driver: SqlDriver;
  readonly #open = new Set<OpenResult>();
  readonly #running = new Map<object, number>();
  #closed = false;
  /** Writes query results to the agent's storage (`export_to_storage`); absent where no agent context exists. */
  readonly exporter: import('./query-export').QueryExporter | undefined;

  constructor(driver: SqlDriver, exporter?: import('./query-export').QueryExporter) {
    this.#driver = driver;
    this.exporter = exporter;
  }

  get placeholderStyle(): PlaceholderStyle {
    return this.#driver.placeholderStyle;
  }

  async execute(scope: object, sql: string, values: unknown[]): Promise<ResultStream> {
    await this.#makeRoom(scope);
    return this.#run(scope, () => this.#driver.execute(sql, values));
  }

  read(scope: object, stream: ResultStream, max: number): Promise<Row[]> {
    return this.#run(scope, () => stream.read(max));
  }

  async commit(scope: object): Promise<void> {
    await this.#makeRoom(scope);
    await this.#run(scope, () => this.#driver.commit());
  }

  async rollback(scope: object): Promise<void> {
    await this.#makeRoom(scope);
    await this.#run(scope, () => this.#driver.rollback());
  }

  opened(result: OpenResult): void {
    this.#open.add(result);
  }

  released(result: OpenResult): void {
    this.#open.delete(result);
  }

  /** The operation is over: close the result sets it left open. */
  async finishScope(scope: object): Promise<void> {
    const mine = [...this.#open].filter((result) => result.scope === scope);
    await Promise.allSettled(mine.map((result) => result.discard()));
  }

  /** The operation failed (a timeout, an error): cancel what it still runs, then close what it left open. */
  async abandonScope(scope: object): Promise<void> {
    if (this.#closed) return;
    if ((this.#running.get(scope) ?? 0) > 0) await this.#driver.cancel().catch(() => undefined);
    await this.finishScope(scope);
  }

  get closed(): boolean {
    return this.#closed;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#open.clear();
    // Closing the socket alone does not stop a query the server is busy with: cancel it first.
    if (this.#running.size > 0) await this.#driver.cancel().catch(() => undefined);
    await this.#driver.close();
  }

  assertOpen(): void {
    if (this.#closed) throw new InterfaceError('connection already closed');
  }

  async #makeRoom(scope: object): Promise<void> {
    this.assertOpen();
    const mine = [...this.#open].filter((result) => result.scope === scope);
    for (const result of mine) await result.detach();
  }

  async #run<T>(scope: object, work: () => Promise<T>): Promise<T> {
    this.assertOpen();
    this.#running.set(scope, (this.#running.get(scope) ?? 0) + 1);
    try {
      return await work();
    } finally {
      const left = (this.#running.get(scope) ?? 1) - 1;
      if (left > 0) this.#running.set(scope, left);
      else this.#running.delete(scope);
    }
  }
}
