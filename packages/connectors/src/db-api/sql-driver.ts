import type { PlaceholderStyle } from './placeholders';

/** One row as DB-API returns it: a tuple (a JSON array on the wire). */
export type Row = unknown[];

/** PEP 249 `description` item: (name, type_code, display_size, internal_size, precision, scale, null_ok). */
export type ColumnDescription = readonly [
  name: string,
  typeCode: number | string,
  displaySize: number | null,
  internalSize: number | null,
  precision: number | null,
  scale: number | null,
  nullOk: boolean | null,
];

/**
 * The result of one statement, read lazily: a row-returning statement keeps its server-side cursor (or paused
 * stream) open and hands rows over in batches, so memory holds one batch, never the whole result.
 */
export interface ResultStream {
  /** Columns of a row-returning statement; null for a statement without a result set (INSERT, DDL, SET). */
  readonly description: readonly ColumnDescription[] | null;
  /** Rows changed by a statement without a result set; -1 when the server does not say. */
  readonly affectedRows: number;
  /** True once every row has been handed over by `read`. */
  readonly exhausted: boolean;
  /** Up to `max` further rows (fewer, possibly none, when the result ends). */
  read(max: number): Promise<Row[]>;
  /** Discards the rest of the result and frees the connection. */
  close(): Promise<void>;
}

/** Per-statement options some DB-APIs take beside the query (snowflake's `execute(…, timeout=)`). */
export interface StatementOptions {
  /** Seconds the server may spend on the statement; drivers without such a setting ignore it. */
  readonly timeoutSeconds?: number;
}

/** What each SQL connector implements over its Node driver; the DB-API facade is built on top of it. */
export interface SqlDriver {
  readonly placeholderStyle: PlaceholderStyle;
  execute(sql: string, values: unknown[], options?: StatementOptions): Promise<ResultStream>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** Asks the server to cancel the statement now running (out of band: a cancel request or KILL QUERY). */
  cancel(): Promise<void>;
  close(): Promise<void>;
}
