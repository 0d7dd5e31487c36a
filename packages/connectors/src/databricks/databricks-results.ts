import type { ColumnDescription, ResultStream, Row } from '../db-api/sql-driver';
import type { RecordBatchReader } from './arrow.cjs';
import { arrowRows, columnBasedRows, describe, type ResultColumn, type ThriftColumn } from './databricks-values';

/** One page source of a result: Arrow batches (inline or downloaded) or HiveServer2 column sets. */
export interface PageSource {
  hasMore(): Promise<boolean>;
  /** Up to about `limit` further rows. */
  next(limit: number): Promise<Row[]>;
}

/** The driver's `{batches: [schema, …record batches], rowCount}` Arrow pages, decoded by position. */
export function arrowPages(
  handler: { hasMore(): Promise<boolean>; fetchNext(options: { limit: number }): Promise<{ batches: Buffer[] }> },
  reader: typeof RecordBatchReader,
  columns: readonly ResultColumn[],
  nativeComplex: boolean,
): PageSource {
  return {
    hasMore: () => handler.hasMore(),
    async next(limit) {
      const { batches } = await handler.fetchNext({ limit });
      if (batches.length === 0) return [];
      const rows: Row[] = [];
      for (const batch of reader.from(batches)) {
        for (const row of arrowRows(batch, columns, nativeComplex)) rows.push(row);
      }
      return rows;
    },
  };
}

/** HiveServer2's `COLUMN_BASED_SET` pages, read straight from the driver's row-set provider. */
export function columnPages(
  provider: {
    hasMore(): Promise<boolean>;
    fetchNext(options: { limit: number }): Promise<{ columns?: ThriftColumn[] } | undefined>;
  },
  columns: readonly ResultColumn[],
  nativeComplex: boolean,
): PageSource {
  return {
    hasMore: () => provider.hasMore(),
    async next(limit) {
      const page = await provider.fetchNext({ limit });
      return page?.columns ? columnBasedRows(page.columns, columns, nativeComplex) : [];
    },
  };
}

/**
 * A statement's result read lazily, page by page, as the DB-API cursor asks for rows: at most one page (the rows the
 * server sent in one answer) beside what the cursor holds. Closing it closes the operation on the server.
 */
export class DatabricksResultStream implements ResultStream {
  readonly description: readonly ColumnDescription[] | null;
  readonly affectedRows: number;
  readonly #pages: PageSource | undefined;
  readonly #close: () => Promise<void>;
  #buffer: Row[] = [];
  #exhausted: boolean;
  #closed = false;

  constructor(
    columns: readonly ResultColumn[] | null,
    pages: PageSource | undefined,
    affectedRows: number,
    close: () => Promise<void>,
  ) {
    this.description = columns ? columns.map(describe) : null;
    this.affectedRows = affectedRows;
    this.#pages = pages;
    this.#exhausted = pages === undefined;
    this.#close = close;
  }

  get exhausted(): boolean {
    return this.#exhausted;
  }

  async read(max: number): Promise<Row[]> {
    const rows: Row[] = [];
    while (rows.length < max && !this.#exhausted) {
      if (this.#buffer.length === 0) {
        const pages = this.#pages as PageSource;
        if (!(await pages.hasMore())) {
          await this.close();
          break;
        }
        this.#buffer = await pages.next(Math.max(max - rows.length, 1));
        continue;
      }
      const wanted = max - rows.length;
      if (this.#buffer.length <= wanted) {
        for (const row of this.#buffer) rows.push(row);
        this.#buffer = [];
      } else {
        for (const row of this.#buffer.splice(0, wanted)) rows.push(row);
      }
    }
    return rows;
  }

  async close(): Promise<void> {
    this.#exhausted = true;
    this.#buffer = [];
    if (this.#closed) return;
    this.#closed = true;
    await this.#close();
  }
}
