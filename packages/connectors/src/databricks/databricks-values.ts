import { decimal, typed } from '@artemis/core';
import { stringify } from 'lossless-json';
import type { ColumnDescription, Row } from '../db-api/sql-driver';
import { parseExactJson } from '../shared/exact-json';
import type { DataType, RecordBatch } from './arrow.cjs';

/** HiveServer2's TTypeId, by value (TCLIService.thrift; stable since Hive 0.13). */
const TYPE_NAMES = [
  'boolean',
  'tinyint',
  'smallint',
  'int',
  'bigint',
  'float',
  'double',
  'string',
  'timestamp',
  'binary',
  'array',
  'map',
  'struct',
  'union',
  'user_defined',
  'decimal',
  'null',
  'date',
  'varchar',
  'char',
  'interval_year_month',
  'interval_day_time',
] as const;
type TypeName = (typeof TYPE_NAMES)[number];

/** The part of a TColumnDesc the facade reads. */
export interface ThriftColumnDesc {
  readonly columnName: string;
  readonly position: number;
  readonly typeDesc: {
    readonly types: readonly {
      readonly primitiveEntry?: {
        readonly type: number;
        readonly typeQualifiers?: { readonly qualifiers?: Readonly<Record<string, { readonly i32Value?: number }>> };
      } | null;
    }[];
  };
}

export interface ResultColumn {
  readonly name: string;
  readonly type: TypeName | 'unknown';
  readonly precision: number | null;
  readonly scale: number | null;
}

/** The result's columns in position order, with the type names and DECIMAL qualifiers Python reports. */
export function resultColumns(columns: readonly ThriftColumnDesc[]): ResultColumn[] {
  return [...columns]
    .sort((a, b) => a.position - b.position)
    .map((column) => {
      const entry = column.typeDesc.types[0]?.primitiveEntry;
      const type = entry ? (TYPE_NAMES[entry.type] ?? 'unknown') : 'unknown';
      const qualifiers = entry?.typeQualifiers?.qualifiers;
      const isDecimal = type === 'decimal';
      return {
        name: column.columnName,
        type,
        precision: isDecimal ? (qualifiers?.precision?.i32Value ?? null) : null,
        scale: isDecimal ? (qualifiers?.scale?.i32Value ?? null) : null,
      };
    });
}

/** databricks-sql-connector's description: (name, type name, None, None, precision, scale, None). */
export function describe(column: ResultColumn): ColumnDescription {
  return [column.name, column.type, null, null, column.precision, column.scale, null];
}

type Convert = (value: unknown) => unknown;

/**
 * Rows of Arrow record batches as databricks-sql-connector returns them, read by position (so a duplicate column name
 * keeps both values), in the agent's encoding: BIGINT an integer, exact past 2^53; DECIMAL a Decimal
 * (`{"__type__":"decimal"}`, every digit of its 128 bits); TIMESTAMP an instant (milliseconds); DATE a date; BINARY
 * bytes; ARRAY/MAP/STRUCT the JSON text Python hands out with native complex types off (Apollo's default), or the
 * values themselves with `_use_arrow_native_complex_types`.
 */
export function arrowRows(batch: RecordBatch, columns: readonly ResultColumn[], nativeComplex: boolean): Row[] {
  const converters = columns.map((column, index) => {
    const vector = batch.getChildAt(index);
    const convert = vector ? arrowConverter(vector.type, column, nativeComplex) : () => null;
    return (row: number) => {
      const value = vector?.get(row);
      return value === null || value === undefined ? null : convert(value);
    };
  });
  const rows: Row[] = new Array(batch.numRows);
  for (let row = 0; row < batch.numRows; row++) {
    const values = new Array(converters.length);
    for (let column = 0; column < converters.length; column++)
      values[column] = (converters[column] as (r: number) => unknown)(row);
    rows[row] = values;
  }
  return rows;
}

/** Arrow's type ids (Schema.fbs), stable across versions. */
const ARROW = {
  Int: 2,
  Float: 3,
  Binary: 4,
  Utf8: 5,
  Bool: 6,
  Decimal: 7,
  Date: 8,
  Timestamp: 10,
  List: 12,
  Struct: 13,
  FixedSizeList: 16,
  Map: 17,
};

function arrowConverter(type: DataType, column: ResultColumn, nativeComplex: boolean): Convert {
  switch (type.typeId) {
    case ARROW.Int:
      return integer;
    case ARROW.Decimal:
      return (value) => decimal(decimalText(value as Uint32Array, type.scale ?? 0));
    case ARROW.Timestamp:
      return (value) => new Date(Number(value));
    case ARROW.Date:
      return (value) =>
        typed('date', (value instanceof Date ? value : new Date(Number(value))).toISOString().slice(0, 10));
    case ARROW.Binary:
      return (value) => Buffer.from(value as Uint8Array);
    case ARROW.List:
    case ARROW.FixedSizeList:
    case ARROW.Struct:
    case ARROW.Map: {
      const plainOf = (value: unknown) => plain(value, type);
      return nativeComplex ? plainOf : (value) => stringify(plainOf(value)) ?? null;
    }
    case ARROW.Utf8:
      return textConverter(column.type);
    default:
      return same;
  }
}

/** Text columns of other types (an older runtime sending DECIMAL and TIMESTAMP as strings) keep their meaning. */
function textConverter(type: ResultColumn['type']): Convert {
  switch (type) {
    case 'decimal':
      return (value) => decimal(String(value));
    case 'timestamp':
      return (value) => utcDate(String(value));
    case 'date':
      return (value) => typed('date', String(value).slice(0, 10));
    case 'bigint':
      return (value) => integer(BigInt(String(value)));
    default:
      return same;
  }
}

const same: Convert = (value) => value;

/** A 64-bit integer as Python's int: a number when it is exact in one, else a bigint (sent as a decimal). */
function integer(value: unknown): unknown {
  if (typeof value !== 'bigint') return value;
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** A Decimal128 (four little-endian 32-bit words, two's complement) as exact digits at `scale`. */
export function decimalText(words: Uint32Array, scale: number): string {
  let unscaled = 0n;
  for (let i = words.length - 1; i >= 0; i--) unscaled = (unscaled << 32n) | BigInt(words[i] ?? 0);
  unscaled = BigInt.asIntN(words.length * 32, unscaled);
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  return `${negative ? '-' : ''}${scale > 0 ? `${whole}.${digits.slice(digits.length - scale)}` : whole}`;
}

/** A nested Arrow value as plain data (arrays, objects), its leaves converted as top-level values are. */
function plain(value: unknown, type: DataType): unknown {
  if (value === null || value === undefined) return null;
  const children = type.children ?? [];
  switch (type.typeId) {
    case ARROW.List:
    case ARROW.FixedSizeList: {
      const element = children[0]?.type;
      return [...(value as Iterable<unknown>)].map((item) => (element ? plain(item, element) : item));
    }
    case ARROW.Struct: {
      const row = value as { toJSON(): Record<string, unknown> };
      const json = row.toJSON();
      return Object.fromEntries(children.map((field) => [field.name, plain(json[field.name], field.type)]));
    }
    case ARROW.Map: {
      // A map is a list of {key, value} structs.
      const entry = children[0]?.type.children ?? [];
      const valueType = entry[1]?.type;
      const json = (value as { toJSON(): Record<string, unknown> }).toJSON();
      return Object.fromEntries(
        Object.entries(json).map(([key, item]) => [key, valueType ? plain(item, valueType) : item]),
      );
    }
    case ARROW.Decimal:
      return decimalText(value as Uint32Array, type.scale ?? 0);
    case ARROW.Timestamp:
    case ARROW.Date:
      return (value instanceof Date ? value : new Date(Number(value))).toISOString();
    case ARROW.Binary:
      return Buffer.from(value as Uint8Array).toString('base64');
    default:
      return value;
  }
}

/** `2024-01-02 03:04:05.123456` (Spark's text of a timestamp, in the session's zone: UTC on SQL warehouses). */
function utcDate(text: string): Date {
  const iso = text.includes('T') ? text : text.replace(' ', 'T');
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`);
}

/** The part of a TColumn the facade reads: one typed value list, with a null bitmap. */
export interface ThriftColumn {
  readonly [kind: string]: { readonly values: readonly unknown[]; readonly nulls: Buffer } | null | undefined;
}

/**
 * Rows of a `COLUMN_BASED_SET` page (HiveServer2's classic row set, for servers without Arrow), by position:
 * BIGINT from its 8 bytes (exact), DECIMAL, TIMESTAMP and DATE from the server's text, complex types as that text.
 */
export function columnBasedRows(
  columns: readonly ThriftColumn[],
  described: readonly ResultColumn[],
  nativeComplex: boolean,
): Row[] {
  const lists = described.map((column, index) => {
    const thrift = columns[index] ?? {};
    const list = Object.values(thrift).find((value) => value && Array.isArray(value.values));
    const convert = list ? columnConverter(column.type, nativeComplex) : same;
    return { values: list?.values ?? [], nulls: list?.nulls ?? Buffer.alloc(0), convert };
  });
  const count = lists[0]?.values.length ?? 0;
  const rows: Row[] = new Array(count);
  for (let row = 0; row < count; row++) {
    rows[row] = lists.map(({ values, nulls, convert }) =>
      ((nulls[row >> 3] ?? 0) & (1 << (row & 7))) !== 0 ? null : convert(values[row]),
    );
  }
  return rows;
}

function columnConverter(type: ResultColumn['type'], nativeComplex: boolean): Convert {
  switch (type) {
    case 'bigint':
      // node-int64 objects: read their 8 bytes rather than a double.
      return (value) => {
        const int64 = value as { buffer?: Buffer; offset?: number };
        return int64.buffer ? integer(int64.buffer.readBigInt64BE(int64.offset ?? 0)) : value;
      };
    case 'binary':
      return (value) => Buffer.from(value as Uint8Array);
    case 'array':
    case 'map':
    case 'struct':
      return nativeComplex ? (value) => parseExactJson(String(value)) : same;
    default:
      return textConverter(type);
  }
}
