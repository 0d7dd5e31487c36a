import { encodeDate, encodeJson } from '@artemis/core';
import type { Row } from './sql-driver';

/*
 * How a query export writes rows (export_to_storage): NDJSON or CSV, one batch of rows into one chunk of text, so a
 * fragment streams batch by batch and never exists whole.
 */

export type ExportFormat = 'ndjson' | 'csv';

export interface RowFormat {
  readonly contentType: string;
  /** What starts every fragment (the CSV header), or "". */
  header(columns: readonly string[]): string;
  /** The lines of a batch of rows, each ending with "\n". */
  lines(rows: readonly Row[]): string;
}

/**
 * One JSON object per row, keyed by column name, values in the agent's one JSON encoding (SPEC §4: dates, bytes and
 * exact numerics as typed values), so an export reads back exactly as `fetchall` answers the same rows.
 */
export function ndjsonFormat(columns: readonly string[]): RowFormat {
  // Each line is assembled from the column names' JSON and each value's, with no object built per row: the same
  // text JSON.stringify would give for {column: value, …} (one line per row, in column order), at a fraction of the
  // allocations on a million rows.
  const keys = columns.map((name, i) => `${i === 0 ? '{' : ','}${JSON.stringify(name)}:`);
  return {
    contentType: 'application/x-ndjson',
    header: () => '',
    lines: (rows) => {
      let text = '';
      for (const row of rows) {
        for (let i = 0; i < keys.length; i++) text += keys[i] + jsonValue(row[i]);
        text += keys.length === 0 ? '{}\n' : '}\n';
      }
      return text;
    },
  };
}

/** One value as the agent's encoder writes it (SPEC §4), with the common primitives done directly. */
function jsonValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : encodeJson(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default: {
      if (value === null || value === undefined) return 'null';
      // The typed values the drivers hand over ({"__type__": "decimal", "__data__": "1.50"}) are already JSON-safe.
      const typed = value as { __type__?: unknown; __data__?: unknown };
      if (typeof typed.__type__ === 'string' && typeof typed.__data__ === 'string' && Object.keys(value).length === 2) {
        return `{"__type__":${JSON.stringify(typed.__type__)},"__data__":${JSON.stringify(typed.__data__)}}`;
      }
      return encodeJson(value);
    }
  }
}

/**
 * RFC 4180 CSV with a header row. NULL is an empty field and the empty string a quoted one ("") as in PostgreSQL's
 * COPY … CSV; dates are ISO-8601, bytes base64, exact numerics their digits, JSON values their JSON text.
 */
export function csvFormat(): RowFormat {
  return {
    contentType: 'text/csv; charset=utf-8',
    header: (columns) => `${columns.map((name) => quoted(name)).join(',')}\n`,
    lines: (rows) => {
      let text = '';
      for (const row of rows) text += `${row.map(csvField).join(',')}\n`;
      return text;
    },
  };
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return quoted(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return encodeDate(value).__data__ ?? '';
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  const typed = value as { __type__?: unknown; __data__?: unknown };
  if (typeof typed.__type__ === 'string' && typeof typed.__data__ === 'string') return quoted(typed.__data__);
  return quoted(encodeJson(value));
}

/** Quoted when it must be (a separator, a quote, a line break, surrounding spaces) or when it is empty. */
function quoted(text: string): string {
  return text === '' || /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
