import { decimal, typed } from '@artemis/core';
import type { ColumnDescription, Row } from '../db-api/sql-driver';
import { zonedWallTimeToDate } from './zoned-time';

/** A column of a Trino/Presto statement result (`columns` in the `/v1/statement` answers). */
export interface TrinoColumn {
  readonly name: string;
  readonly type: string;
}

type Convert = (value: unknown) => unknown;
const same: Convert = (value) => value;

/**
 * Values as the Python clients hand them to the control plane, in the agent's encoding (SPEC §4): bigint exact
 * (a bigint, `{"__type__":"decimal"}` on the wire, as the postgres connector sends int8), decimal → decimal (the
 * server sends the digits as a string), date → date, time → time, timestamp → datetime (without a zone read as
 * UTC, as the other SQL connectors do), timestamp with time zone → the instant, varbinary (base64) → bytes, NaN and
 * infinities (sent as strings) → numbers. json stays text, as trino-python returns it; arrays, maps and rows are
 * JSON already.
 */
export function rowConverter(columns: readonly TrinoColumn[]): (row: unknown[]) => Row {
  const active = columns.flatMap((column, index) => {
    const convert = converterFor(column.type);
    return convert === same ? [] : [[index, convert] as const];
  });
  if (active.length === 0) return (row) => row;
  // The row is the page's own array, fresh from the JSON parse: converted in place. Copying every row was most of
  // the facade's cost on a large result (`pnpm bench warehouses`).
  return (row) => {
    for (const [index, convert] of active) {
      const value = row[index];
      if (value !== null && value !== undefined) row[index] = convert(value);
    }
    return row;
  };
}

function converterFor(type: string): Convert {
  const base = type.toLowerCase().replace(/\(.*$/, '');
  if (base === 'bigint') return (value) => (typeof value === 'bigint' ? value : BigInt(value as number));
  if (base === 'decimal') return (value) => decimal(String(value));
  if (base === 'double' || base === 'real') return (value) => (typeof value === 'string' ? Number(value) : value);
  if (base === 'date') return (value) => typed('date', String(value));
  if (base === 'time') return (value) => typed('time', String(value));
  if (base === 'timestamp') return /with time zone/.test(type) ? zonedTimestamp : localTimestamp;
  if (base === 'varbinary') return (value) => Buffer.from(String(value), 'base64');
  return same;
}

/** "2024-01-02 03:04:05.123456" (a wall time without zone) → that instant read as UTC; ms precision. */
function localTimestamp(value: unknown): unknown {
  const match = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(\.\d+)?$/.exec(String(value));
  if (!match) return value;
  return new Date(`${match[1]}T${match[2]}${(match[3] ?? '').slice(0, 4)}Z`);
}

/** "2024-01-02 03:04:05.123 UTC", "… +01:00" or "… Europe/Paris" → the instant it names; ms precision. */
function zonedTimestamp(value: unknown): unknown {
  const match = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(\.\d+)? (.+)$/.exec(String(value));
  if (!match) return value;
  const [, day, time, fraction = '', zone = ''] = match;
  const wall = `${day}T${time}${fraction.slice(0, 4)}`;
  if (zone === 'UTC' || zone === 'Z') return new Date(`${wall}Z`);
  if (/^[+-]\d\d:\d\d$/.test(zone)) return new Date(`${wall}${zone}`);
  return zonedWallTimeToDate(wall, zone) ?? value;
}

/**
 * trino-python's `cursor.description`: (name, type, None, internal_size, precision, scale, None), the size of
 * char/varchar, the precision of decimal/time/timestamp and the scale of decimal read from the type.
 */
export function describeTrinoColumn(column: TrinoColumn): ColumnDescription {
  const args = /^\w[\w ]*?\(([^)]*)\)/
    .exec(column.type)?.[1]
    ?.split(',')
    .map((part) => Number(part.trim()));
  const base = column.type.toLowerCase().replace(/\(.*$/, '');
  const first = args?.[0] !== undefined && Number.isInteger(args[0]) ? (args[0] as number) : null;
  const size = base === 'varchar' || base === 'char' ? first : null;
  const precision = base === 'decimal' || base === 'time' || base === 'timestamp' ? first : null;
  const scale = base === 'decimal' && args?.[1] !== undefined && Number.isInteger(args[1]) ? (args[1] as number) : null;
  return [column.name, column.type, null, size, precision, scale, null];
}
