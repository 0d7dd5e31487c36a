import { EncodedArrayBuilder, type EncodedJson, type FragmentManifest, withParameters } from '@artemis/core';
import { InterfaceError, ProgrammingError } from './db-api-errors';
import type { DbSession, OpenResult } from './db-session';
import { translatePlaceholders } from './placeholders';
import { exportOptionsOf } from './query-export';
import type { ColumnDescription, ResultStream, Row } from './sql-driver';

/** Where fetched rows go: a list (fetchone, a connector's own use), or their encoding (what a command fetches). */
interface RowSink {
  readonly length: number;
  append(rows: readonly Row[]): void;
}

class RowList implements RowSink {
  readonly rows: Row[] = [];
  get length(): number {
    return this.rows.length;
  }
  append(rows: readonly Row[]): void {
    for (const row of rows) this.rows.push(row);
  }
}

/** A cursor's next `size` rows as a list, for connectors that use the rows themselves (off the command surface). */
export let fetchRows: (cursor: DbApiCursor, size: number) => Promise<Row[]>;

/** Rows asked of the server per round trip: enough to amortise it, few enough to keep memory flat. */
const MIN_BATCH = 100;
const MAX_BATCH = 10_000;

/**
 * A PEP 249 cursor over a SqlDriver, as the control plane drives it:
 * `cursor()` → `execute(query, params)` → `fetchall()` / `fetchmany(size)` / `fetchone()`, `description`,
 * `rowcount`, `close()`. Every public member is callable by a command, so all state is in `#private` fields.
 *
 * Rows stream from the server in batches. `rowcount` is the affected-row count of a statement without a result
 * set, and for a query the number of rows fetched so far (the total once the result is exhausted): the count is not
 * known before the server-side cursor has been read to its end (as with psycopg2's server-side cursors).
 *
 * `fetchall` and `fetchmany` encode each batch as it arrives (issue 13): they return the rows as an EncodedJson,
 * so a large result exists once, as the bytes that go on the wire, never also as a list of row objects and a
 * string. Connectors that need the rows themselves use `fetchRows`.
 */
export class DbApiCursor {
  static {
    fetchRows = async (cursor, size) => {
      assertFetchSize(size);
      const rows = new RowList();
      await cursor.#take(size, rows);
      return rows.rows;
    };
  }

  /** PEP 249: the default `fetchmany` size. */
  arraysize = 1;

  readonly #session: DbSession;
  #stream: ResultStream | undefined;
  #open: OpenResult | undefined;
  #pending: Row[] = [];
  #pendingStart = 0;
  #description: readonly ColumnDescription[] | null = null;
  #rowcount = -1;
  #closed = false;

  constructor(session: DbSession) {
    this.#session = session;
  }

  get description(): readonly ColumnDescription[] | null {
    return this.#description;
  }

  get rowcount(): number {
    return this.#rowcount;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** `timeout` (seconds) is snowflake's `execute(…, timeout=)`; drivers without a statement timeout ignore it. */
  async execute(query: string, params?: unknown, timeout?: unknown): Promise<null> {
    this.#assertUsable();
    if (typeof query !== 'string') throw new ProgrammingError('execute() needs the query as a string');
    await this.#reset();
    const { sql, values } = translatePlaceholders(query, params, this.#session.placeholderStyle);
    if (timeout !== undefined && timeout !== null && (typeof timeout !== 'number' || !(timeout > 0))) {
      throw new ProgrammingError('execute() timeout must be a number of seconds > 0');
    }
    const options = typeof timeout === 'number' ? { timeoutSeconds: timeout } : undefined;
    const stream = await this.#session.execute(sql, values, options);
    this.#description = stream.description;
    if (stream.description === null) {
      this.#rowcount = stream.affectedRows;
      await stream.close();
      return null;
    }
    this.#rowcount = 0;
    this.#stream = stream;
    if (stream.exhausted) {
      await this.#drain();
    } else {
      this.#open = {
        detach: () => this.#drain(),
        discard: () => this.#discard(),
      };
      this.#session.opened(this.#open);
    }
    return null;
  }

  /** Runs `query` once per parameter set; `rowcount` is the total of affected rows. */
  async executemany(query: string, seqOfParams: unknown): Promise<null> {
    if (!Array.isArray(seqOfParams)) throw new ProgrammingError('executemany() needs a list of parameter sets');
    let total = 0;
    let known = true;
    for (const params of seqOfParams) {
      await this.execute(query, params);
      if (this.#rowcount < 0) known = false;
      total += Math.max(this.#rowcount, 0);
    }
    this.#rowcount = known ? total : -1;
    return null;
  }

  async fetchone(): Promise<Row | null> {
    const rows = new RowList();
    await this.#take(1, rows);
    return rows.rows[0] ?? null;
  }

  async fetchmany(size?: number | null): Promise<EncodedJson> {
    const count = size ?? this.arraysize;
    assertFetchSize(count);
    const rows = new EncodedArrayBuilder();
    await this.#take(count, rows);
    return rows.finish();
  }

  async fetchall(): Promise<EncodedJson> {
    const rows = new EncodedArrayBuilder();
    await this.#take(Number.POSITIVE_INFINITY, rows);
    return rows.finish();
  }

  async close(): Promise<null> {
    if (this.#closed) return null;
    this.#closed = true;
    await this.#reset();
    return null;
  }

  /**
   * Runs `query` and streams its rows into the fragment set `set` of the agent's storage, `rows_per_fragment` rows to
   * a fragment, as NDJSON or CSV, gzipped when `compress`; answers the set's manifest (query-export.ts).
   */
  async export_to_storage(
    query: string,
    params: unknown,
    set: unknown,
    rowsPerFragment: unknown,
    format: unknown,
    compress: unknown,
  ): Promise<FragmentManifest> {
    const exporter = this.#session.exporter;
    if (!exporter) throw new InterfaceError('export_to_storage needs the agent: this connection has no storage');
    const options = exportOptionsOf(set, rowsPerFragment, format, compress);
    await this.execute(query, params);
    // The exporter reads the rows themselves, batch by batch (not their JSON encoding, as a command's fetch does).
    return exporter.export({ description: this.description, fetchmany: (size) => fetchRows(this, size) }, options);
  }

  async #take(max: number, sink: RowSink): Promise<void> {
    this.#assertUsable();
    if (this.#description === null) throw new ProgrammingError('no results to fetch');
    const before = sink.length;
    if (this.#pending.length > this.#pendingStart) sink.append(this.#takePending(max));
    while (sink.length - before < max && this.#stream) {
      const stream = this.#stream;
      const wanted = max - (sink.length - before);
      const batch = await this.#session.read(stream, Math.min(Math.max(wanted, MIN_BATCH), MAX_BATCH));
      if (batch.length <= wanted) {
        sink.append(batch);
      } else {
        sink.append(batch.slice(0, wanted));
        this.#pending = batch;
        this.#pendingStart = wanted;
      }
      if (stream.exhausted) await this.#release();
      else if (batch.length === 0) break;
    }
    this.#rowcount += sink.length - before;
  }

  #takePending(max: number): Row[] {
    const end = Math.min(this.#pending.length, this.#pendingStart + max);
    const rows = this.#pending.slice(this.#pendingStart, end);
    this.#pendingStart = end;
    if (this.#pendingStart >= this.#pending.length) {
      this.#pending = [];
      this.#pendingStart = 0;
    }
    return rows;
  }

  /** Another statement needs the connection: keep the remaining rows in memory, close the server-side cursor. */
  async #drain(): Promise<void> {
    const stream = this.#stream;
    if (!stream) return;
    const rest = this.#pending.slice(this.#pendingStart);
    while (!stream.exhausted) {
      const batch = await stream.read(MAX_BATCH);
      for (const row of batch) rest.push(row);
      if (batch.length === 0 && !stream.exhausted) break;
    }
    this.#pending = rest;
    this.#pendingStart = 0;
    await this.#release();
  }

  async #discard(): Promise<void> {
    this.#pending = [];
    this.#pendingStart = 0;
    await this.#release();
  }

  async #release(): Promise<void> {
    const stream = this.#stream;
    this.#stream = undefined;
    if (this.#open) this.#session.released(this.#open);
    this.#open = undefined;
    await stream?.close();
  }

  async #reset(): Promise<void> {
    await this.#discard();
    this.#description = null;
    this.#rowcount = -1;
  }

  #assertUsable(): void {
    if (this.#closed) throw new InterfaceError('cursor already closed');
    this.#session.assertOpen();
  }
}

function assertFetchSize(count: number): void {
  if (!Number.isInteger(count) || count < 0) throw new ProgrammingError('fetchmany() size must be an integer >= 0');
}

// Python callers name these arguments (`execute(query=..., params=...)`): declare the names for the interpreter.
withParameters(['query', 'params', 'timeout'], DbApiCursor.prototype.execute);
withParameters(['query', 'seq_of_params'], DbApiCursor.prototype.executemany);
withParameters(['size'], DbApiCursor.prototype.fetchmany);
withParameters(
  ['query', 'params', 'set', 'rows_per_fragment', 'format', 'compress'],
  DbApiCursor.prototype.export_to_storage,
);
