import { decimal, typed } from '@artemis/core';
import type { ColumnDescription, Row } from '../db-api/sql-driver';

/** What the converters need of snowflake-sdk's Column. */
export interface SnowflakeColumn {
  getName(): string;
  getType(): string;
  getScale(): number;
  getPrecision(): number;
  isNullable(): boolean;
}

/** snowflake-connector-python's FIELD_TYPES index: the `type_code` of its `cursor.description`. */
const TYPE_CODES: Readonly<Record<string, number>> = {
  fixed: 0,
  real: 1,
  text: 2,
  date: 3,
  timestamp: 4,
  variant: 5,
  timestamp_ltz: 6,
  timestamp_tz: 7,
  timestamp_ntz: 8,
  object: 9,
  array: 10,
  binary: 11,
  time: 12,
  boolean: 13,
  geography: 14,
  geometry: 15,
  vector: 16,
  map: 9,
};

/** snowflake-connector-python's description: (name, type_code, None, None, precision, scale, null_ok). */
export function describeSnowflakeColumn(column: SnowflakeColumn): ColumnDescription {
  const type = column.getType();
  const numeric = type === 'fixed';
  return [
    column.getName(),
    TYPE_CODES[type] ?? 5,
    null,
    null,
    numeric ? column.getPrecision() : null,
    numeric ? column.getScale() : null,
    column.isNullable(),
  ];
}

type Convert = (value: unknown) => unknown;
const same: Convert = (value) => value;

/**
 * Values as snowflake-connector-python returns them, in the agent's encoding: NUMBER(p,0) an integer, exact past
 * 2^53 (a bigint, `{"__type__":"decimal"}`), NUMBER(p,s>0) a Decimal (`decimal`), FLOAT a float (NUMBER and FLOAT
 * arrive as text: snowflake-sdk's numbers would round), DATE a date, TIME a time, TIMESTAMP_* an instant (NTZ read
 * as UTC; milliseconds), VARIANT/OBJECT/ARRAY the JSON text, as Python gives it, BINARY bytes.
 */
export function snowflakeRowConverter(columns: readonly SnowflakeColumn[]): (row: unknown[]) => Row {
  const converters = columns.map(converterFor);
  // The row is the driver's fresh array for this row (rowMode "array"): converted in place rather than copied, which
  // was most of the facade's cost on a large result (`pnpm bench warehouses`).
  return (row) => {
    for (let index = 0; index < row.length; index++) {
      const value = row[index];
      row[index] = value === null || value === undefined ? null : (converters[index] ?? same)(value);
    }
    return row;
  };
}

function converterFor(column: SnowflakeColumn): Convert {
  switch (column.getType()) {
    case 'fixed':
      return column.getScale() > 0 ? (value) => decimal(String(value)) : integer;
    case 'real':
      return (value) => (typeof value === 'string' ? Number(value) : value);
    case 'date':
      return (value) => (value instanceof Date ? typed('date', value.toISOString().slice(0, 10)) : value);
    case 'time':
      // snowflake-sdk hands TIME as text in TIME_OUTPUT_FORMAT (HH24:MI:SS by default).
      return (value) => (value instanceof Date ? typed('time', timeOfDay(value)) : typed('time', String(value)));
    case 'timestamp_ltz':
    case 'timestamp_ntz':
    case 'timestamp_tz':
      return (value) => (value instanceof Date ? new Date(value.getTime()) : value);
    default:
      return same;
  }
}

function integer(value: unknown): unknown {
  const text = String(value);
  const number = Number(text);
  return Number.isSafeInteger(number) ? number : BigInt(text);
}

function timeOfDay(value: Date): string {
  const iso = value.toISOString();
  const time = iso.slice(11, 23);
  return time.endsWith('.000') ? time.slice(0, 8) : time;
}
