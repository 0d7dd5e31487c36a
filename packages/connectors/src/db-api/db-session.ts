import { currentOperation, type Operation } from '@artemis/core';
import { InterfaceError } from './db-api-errors';
import type { PlaceholderStyle } from './placeholders';
import type { ResultStream, Row, SqlDriver, StatementOptions } from './sql-driver';

/** A result set still open on the server, and what to do with it when its connection is needed or released. */
export interface OpenResult {
  /** Reads the remaining rows into memory and closes the server-side cursor (another statement needs the wire). */
  detach(): Promise<void>;
  /** Closes the server-side cursor, dropping the rows not yet fetched (the operation that opened it is over). */
  discard(): Promise<void>;
}

/** Calls made outside any operation the core runs (a client used directly, e.g. by a benchmark) share one owner. */
const NO_OPERATION: object = Object.freeze({});

/**
 * One database connection shared by the cursors of a proxy client, and by the concurrent operations of the requests
 * that share the cached client. What each operation has running and open is kept under the operation the core hands
 * out (`currentOperation()`), never under anything a connector could nest (a log context). A connection runs one
 * statement at a time, and an open server-side cursor occupies it until closed, so:
 * - a new statement of the same operation first detaches that operation's open results (DB-API lets a caller
 *   interleave two cursors; the earlier one's remaining rows move to memory);
 * - statements of another operation queue in the driver behind it;
 * - when an operation ends (`endOperation`), a statement it still has running is cancelled on the server (a timeout)
 *   and the results it left open are closed (its cursors die with its context).
 */
export class DbSession {
  readonly #driver: SqlDriver;
  readonly #open = new Map<object, Set<OpenResult>>();
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

  async execute(sql: string, values: unknown[], options?: StatementOptions): Promise<ResultStream> {
    const owner = ownerNow();
    await this.#makeRoom(owner);
    return this.#run(owner, () => this.#driver.execute(sql, values, options));
  }

  read(stream: ResultStream, max: number): Promise<Row[]> {
    return this.#run(ownerNow(), () => stream.read(max));
  }

  async commit(): Promise<void> {
    const owner = ownerNow();
    await this.#makeRoom(owner);
    await this.#run(owner, () => this.#driver.commit());
  }

  async rollback(): Promise<void> {
    const owner = ownerNow();
    await this.#makeRoom(owner);
    await this.#run(owner, () => this.#driver.rollback());
  }

  /** A result set stays open on the server after its statement: it belongs to the operation running now. */
  opened(result: OpenResult): void {
    const owner = ownerNow();
    const results = this.#open.get(owner) ?? new Set<OpenResult>();
    results.add(result);
    this.#open.set(owner, results);
  }

  released(result: OpenResult): void {
    for (const [owner, results] of this.#open) {
      if (results.delete(result) && results.size === 0) this.#open.delete(owner);
    }
  }

  /** The operation is over: cancel what it still runs on the server, then close the result sets it left open. */
  async endOperation(operation: Operation): Promise<void> {
    if (this.#closed) return;
    if ((this.#running.get(operation) ?? 0) > 0) await this.#driver.cancel().catch(() => undefined);
    const results = [...(this.#open.get(operation) ?? [])];
    this.#open.delete(operation);
    await Promise.allSettled(results.map((result) => result.discard()));
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

  async #makeRoom(owner: object): Promise<void> {
    this.assertOpen();
    for (const result of [...(this.#open.get(owner) ?? [])]) await result.detach();
  }

  async #run<T>(owner: object, work: () => Promise<T>): Promise<T> {
    this.assertOpen();
    this.#running.set(owner, (this.#running.get(owner) ?? 0) + 1);
    try {
      return await work();
    } finally {
      const left = (this.#running.get(owner) ?? 1) - 1;
      if (left > 0) this.#running.set(owner, left);
      else this.#running.delete(owner);
    }
  }
}

function ownerNow(): object {
  return currentOperation() ?? NO_OPERATION;
}
