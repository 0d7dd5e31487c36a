import type { ColumnDescription, ResultStream, Row } from '../db-api/sql-driver';
import { type StatementError, StatementFailedError } from './trino-errors';
import { describeTrinoColumn, rowConverter, type TrinoColumn } from './trino-values';

/** One answer of the `/v1/statement` protocol (the POST, then each `nextUri`). */
export interface StatementPage {
  readonly id?: string;
  readonly columns?: readonly TrinoColumn[];
  readonly data?: readonly unknown[][];
  readonly error?: StatementError;
  readonly updateCount?: number;
}

/** The pages of one statement, pulled one at a time from the driver. */
export interface PageSource {
  /** The next page, or undefined once the statement has finished. */
  next(): Promise<StatementPage | undefined>;
  /** Stops the statement on the server (the rest of its result is not wanted). */
  cancel(): Promise<void>;
}

/**
 * A Trino/Presto statement's result as the DB-API facade reads it. Like the Python clients, `execute` waits until
 * the server has named the columns (or finished); rows then arrive page by page as they are fetched, so memory
 * holds a page, never the whole result. A statement without columns (DDL, SET SESSION) reports its update count.
 */
export class PagedResultStream implements ResultStream {
  readonly description: readonly ColumnDescription[] | null;
  readonly affectedRows: number;
  readonly #engine: 'Trino' | 'Presto';
  readonly #source: PageSource;
  readonly #convert: (row: unknown[]) => Row;
  #queryId: string | undefined;
  #buffered: Row[];
  #finished: boolean;

  private constructor(engine: 'Trino' | 'Presto', source: PageSource, opening: Opening) {
    this.#engine = engine;
    this.#source = source;
    this.#queryId = opening.queryId;
    this.#finished = opening.finished;
    const columns = opening.columns;
    this.description = columns ? columns.map(describeTrinoColumn) : null;
    this.affectedRows = columns ? -1 : (opening.updateCount ?? -1);
    this.#convert = rowConverter(columns ?? []);
    this.#buffered = opening.rows.map(this.#convert);
  }

  static async open(engine: 'Trino' | 'Presto', source: PageSource): Promise<PagedResultStream> {
    const opening: Opening = { rows: [], finished: false };
    try {
      while (!opening.columns) {
        const page = await source.next();
        if (!page) {
          opening.finished = true;
          break;
        }
        absorb(engine, page, opening);
      }
    } catch (error) {
      await source.cancel().catch(() => undefined);
      throw error;
    }
    return new PagedResultStream(engine, source, opening);
  }

  get exhausted(): boolean {
    return this.#finished && this.#buffered.length === 0;
  }

  async read(max: number): Promise<Row[]> {
    while (this.#buffered.length < max && !this.#finished) {
      const page = await this.#source.next();
      if (!page) {
        this.#finished = true;
        break;
      }
      if (page.error) throw new StatementFailedError(this.#engine, page.error, page.id ?? this.#queryId);
      this.#queryId ??= page.id;
      for (const row of page.data ?? []) this.#buffered.push(this.#convert(row));
    }
    if (this.#buffered.length <= max) {
      const rows = this.#buffered;
      this.#buffered = [];
      return rows;
    }
    return this.#buffered.splice(0, max);
  }

  async close(): Promise<void> {
    this.#buffered = [];
    if (this.#finished) return;
    this.#finished = true;
    await this.#source.cancel();
  }
}

interface Opening {
  rows: unknown[][];
  finished: boolean;
  columns?: readonly TrinoColumn[];
  queryId?: string;
  updateCount?: number;
}

function absorb(engine: 'Trino' | 'Presto', page: StatementPage, opening: Opening): void {
  opening.queryId ??= page.id;
  if (page.error) throw new StatementFailedError(engine, page.error, page.id ?? opening.queryId);
  if (page.columns && page.columns.length > 0) opening.columns = page.columns;
  if (page.updateCount !== undefined) opening.updateCount = page.updateCount;
  for (const row of page.data ?? []) opening.rows.push(row as unknown[]);
}
