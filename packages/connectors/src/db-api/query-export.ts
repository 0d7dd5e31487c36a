import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import {
  type ConnectorContext,
  type FragmentManifest,
  FragmentSets,
  isFullStorageBackend,
  OperationError,
  validate,
} from '@artemis/core';
import * as z from 'zod/mini';
import { ProgrammingError } from './db-api-errors';
import { csvFormat, type ExportFormat, ndjsonFormat, type RowFormat } from './export-formats';
import type { ColumnDescription, Row } from './sql-driver';

/** Rows asked of the cursor at a time: a batch is encoded into one chunk of a fragment. */
const BATCH_ROWS = 10_000;

/** What an export reads: a cursor that has executed its query. */
export interface RowSource {
  readonly description: readonly ColumnDescription[] | null;
  fetchmany(size: number): Promise<Row[]>;
}

const optionsSchema = z.object({
  set: z.string(),
  rows_per_fragment: z.number().check(z.int(), z.gte(1), z.lte(100_000_000)),
  format: z.enum(['ndjson', 'csv']),
  compress: z.boolean(),
});

export interface ExportOptions {
  readonly set: string;
  readonly rowsPerFragment: number;
  readonly format: ExportFormat;
  readonly compress: boolean;
}

/** The export arguments of `export_to_storage`, checked (a bad one is the operation's error, HTTP 200). */
export function exportOptionsOf(set: unknown, rowsPerFragment: unknown, format: unknown, compress: unknown) {
  try {
    const checked = validate(
      optionsSchema,
      { set, rows_per_fragment: rowsPerFragment, format: format ?? 'ndjson', compress: compress ?? false },
      'export_to_storage arguments',
    );
    return {
      set: checked.set,
      rowsPerFragment: checked.rows_per_fragment,
      format: checked.format,
      compress: checked.compress,
    };
  } catch (error) {
    throw new ProgrammingError((error as Error).message);
  }
}

/**
 * `export_to_storage` (issue 18): the rows of a query stream from the server-side cursor into a fragment set, a
 * fixed number of rows per fragment (`part-000000`, `part-000001`, …), each fragment written as it is produced — one
 * batch of rows in memory at a time, whatever the result's size — and the set completed with a manifest recording
 * every fragment's row count, size and SHA-256.
 */
export class QueryExporter {
  readonly #context: ConnectorContext;

  constructor(context: ConnectorContext) {
    this.#context = context;
  }

  async export(source: RowSource, options: ExportOptions): Promise<FragmentManifest> {
    const description = source.description;
    if (description === null) throw new ProgrammingError('export_to_storage: the query returns no rows to export');
    const columns = description.map((column) => column[0]);
    const format = formatOf(options.format, columns);
    const storage = await this.#context.storage();
    if (!isFullStorageBackend(storage)) {
      throw new OperationError('The storage backend of this agent does not support fragment sets');
    }
    const sets = new FragmentSets(storage, this.#context.config);
    const batches = new Prefetch(source, Math.min(BATCH_ROWS, options.rowsPerFragment));
    let carry = await batches.next();
    let ended = carry.length === 0;
    let total = 0;
    for (let index = 0; index === 0 || !ended; index++) {
      let rows = 0;
      // The fragment's text, produced as storage reads it: batches until the fragment is full or the result ends; a
      // batch that crosses the fragment's end leaves its rest to the next fragment.
      async function* text(): AsyncGenerator<Buffer> {
        const header = format.header(columns);
        if (header) yield Buffer.from(header, 'utf8');
        while (rows < options.rowsPerFragment) {
          const batch = carry.length > 0 ? carry : await batches.next();
          carry = [];
          if (batch.length === 0) {
            ended = true;
            return;
          }
          const room = options.rowsPerFragment - rows;
          const now = batch.length > room ? batch.slice(0, room) : batch;
          if (batch.length > room) carry = batch.slice(room);
          rows += now.length;
          yield Buffer.from(format.lines(now), 'utf8');
        }
      }
      const body = this.#encoded(Readable.from(text(), { objectMode: false }), options.compress);
      await sets.writeFragment(options.set, fragmentId(index), body, {
        contentType: options.compress ? 'application/gzip' : format.contentType,
        rows: () => rows,
      });
      total += rows;
      // Whether another fragment follows is known by looking at the next rows: no empty fragment at the end.
      if (!ended && carry.length === 0) {
        carry = await batches.next();
        ended = carry.length === 0;
      }
    }
    return sets.complete(options.set, undefined, {
      export: {
        format: options.format,
        compression: options.compress ? 'gzip' : null,
        columns,
        rows: total,
        rows_per_fragment: options.rowsPerFragment,
      },
    });
  }

  #encoded(text: Readable, compress: boolean): Readable {
    if (!compress) return text;
    // A failing source fails the gzip stream, and so the write of the fragment.
    const gzip = createGzip();
    pipeline(text, gzip).catch(() => undefined);
    return gzip;
  }
}

/**
 * Batches of a result with the next one already asked for: the database reads it while the current one is encoded,
 * hashed and written (two batches in memory at most, besides the one being cut at a fragment's end).
 */
class Prefetch {
  readonly #source: RowSource;
  readonly #size: number;
  #next: Promise<Row[]>;

  constructor(source: RowSource, size: number) {
    this.#source = source;
    this.#size = size;
    this.#next = this.#fetch();
  }

  async next(): Promise<Row[]> {
    const rows = await this.#next;
    this.#next = rows.length > 0 ? this.#fetch() : Promise.resolve([]);
    return rows;
  }

  #fetch(): Promise<Row[]> {
    const fetching = this.#source.fetchmany(this.#size);
    // Nobody may await the last prefetch (an export that failed on the storage side): it must not go unhandled.
    fetching.catch(() => undefined);
    return fetching;
  }
}

function formatOf(format: ExportFormat, columns: readonly string[]): RowFormat {
  if (format === 'csv') return csvFormat();
  const seen = new Set<string>();
  for (const name of columns) {
    if (seen.has(name)) {
      throw new ProgrammingError(
        `export_to_storage: column ${JSON.stringify(name)} appears twice; NDJSON rows are objects keyed by column name, so alias one of them (or use format "csv")`,
      );
    }
    seen.add(name);
  }
  return ndjsonFormat(columns);
}

function fragmentId(index: number): string {
  return `part-${String(index).padStart(6, '0')}`;
}
