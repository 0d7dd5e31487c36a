import {
  Binary,
  Bool,
  type Data,
  type DataType,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  makeData,
  makeVector,
  Null,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  Table,
  TimestampMicrosecond,
  tableToIPC,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import type { FakeHiveColumn } from './hive-column-encoding';

/**
 * Arrow IPC bytes as a Databricks SQL warehouse sends them in `ARROW_BASED_SET` and `URL_BASED_SET` results: the
 * schema once (`arrowSchema` of GetResultSetMetadata), then each batch as record-batch messages without a schema, so
 * the client concatenates `[schema, batch, batch, …]` into one stream. Types are the warehouse's native Arrow types:
 * BIGINT Int64, DECIMAL Decimal128, TIMESTAMP microseconds in UTC, DATE days. ARRAY/MAP/STRUCT are sent as their
 * JSON text (as a warehouse does when native complex types are off) and INTERVALs as text (always).
 */
export function arrowSchemaBytes(columns: readonly FakeHiveColumn[]): Buffer {
  const writer = new RecordBatchStreamWriter();
  writer.reset(undefined, tableOf(columns, []).schema);
  writer.finish();
  return withoutEndOfStream(writer.toUint8Array(true));
}

/** The record-batch messages of `rows` (no schema, no end-of-stream marker). */
export function arrowBatchBytes(columns: readonly FakeHiveColumn[], rows: readonly (readonly unknown[])[]): Buffer {
  const stream = tableToIPC(tableOf(columns, rows), 'stream');
  const schemaLength = arrowSchemaBytes(columns).length;
  return withoutEndOfStream(stream).subarray(schemaLength);
}

/** The IPC stream ends with an 8-byte marker (continuation + zero length); the warehouse's messages have none. */
function withoutEndOfStream(stream: Uint8Array): Buffer {
  return Buffer.from(stream.buffer, stream.byteOffset, stream.byteLength - 8);
}

function tableOf(columns: readonly FakeHiveColumn[], rows: readonly (readonly unknown[])[]): Table {
  const vectors = columns.map((column, index) =>
    vectorOf(
      column,
      rows.map((row) => row[index] ?? null),
    ),
  );
  // Built field by field rather than from a record, so duplicate names survive (`SELECT a.id, b.id`).
  const fields = columns.map((column, index) => new Field(column.name, (vectors[index] as Vector).type, true));
  const children = vectors.map((vector) => vector.data[0] as Data);
  const data = makeData({ type: new Struct(fields), length: rows.length, nullCount: 0, children });
  return new Table([new RecordBatch(new Schema(fields), data)]);
}

function vectorOf(column: FakeHiveColumn, values: unknown[]): Vector {
  switch (column.type) {
    case 'BOOLEAN':
      return vectorFromArray(values as (boolean | null)[], new Bool());
    case 'TINYINT':
      return vectorFromArray(values as (number | null)[], new Int8());
    case 'SMALLINT':
      return vectorFromArray(values as (number | null)[], new Int16());
    case 'INT':
      return vectorFromArray(values as (number | null)[], new Int32());
    case 'FLOAT':
      return vectorFromArray(values as (number | null)[], new Float32());
    case 'DOUBLE':
      return vectorFromArray(values as (number | null)[], new Float64());
    case 'BIGINT':
      return fixedWidth(new Int64(), values, 2, (value, words, at) => writeInt64(BigInt(String(value)), words, at));
    case 'DECIMAL':
      return fixedWidth(new Decimal(column.scale ?? 0, column.precision ?? 38, 128), values, 4, (value, words, at) =>
        writeInt128(unscaled(String(value), column.scale ?? 0), words, at),
      );
    case 'TIMESTAMP':
      return fixedWidth(new TimestampMicrosecond('Etc/UTC'), values, 2, (value, words, at) =>
        writeInt64(microseconds(value), words, at),
      );
    case 'DATE':
      return fixedWidth(new DateDay(), values, 1, (value, words, at) => {
        words[at] = Math.round(Date.parse(`${String(value).slice(0, 10)}T00:00:00Z`) / 86_400_000);
      });
    case 'BINARY':
      return vectorFromArray(
        values.map((value) => (value === null ? null : Uint8Array.from(value as Uint8Array))),
        new Binary(),
      );
    case 'NULL':
      return makeVector(makeData({ type: new Null(), length: values.length }));
    default:
      // STRING, VARCHAR, CHAR, INTERVAL_*, and the complex types as JSON text.
      return vectorFromArray(
        values.map((value) => (value === null ? null : typeof value === 'string' ? value : JSON.stringify(value))),
        new Utf8(),
      );
  }
}

/** A fixed-width column written word by word (32-bit words, little-endian), with its validity bitmap. */
function fixedWidth(
  type: DataType,
  values: unknown[],
  wordsPerValue: number,
  write: (value: unknown, words: Int32Array, at: number) => void,
): Vector {
  const words = new Int32Array(values.length * wordsPerValue);
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((value, index) => {
    if (value === null || value === undefined) {
      nullCount++;
      return;
    }
    nullBitmap[index >> 3] = (nullBitmap[index >> 3] ?? 0) | (1 << (index & 7));
    write(value, words, index * wordsPerValue);
  });
  // Whatever typed array the type stores (Int32Array, BigInt64Array, Uint32Array), the little-endian words are the same.
  const data = new (type.ArrayType as new (buffer: ArrayBuffer) => ArrayBufferView)(words.buffer);
  return makeVector(
    makeData({ type, length: values.length, nullCount, nullBitmap, data } as Parameters<typeof makeData>[0]),
  );
}

function writeInt64(value: bigint, words: Int32Array, at: number): void {
  words[at] = Number(BigInt.asIntN(32, value));
  words[at + 1] = Number(BigInt.asIntN(32, value >> 32n));
}

function writeInt128(value: bigint, words: Int32Array, at: number): void {
  for (let i = 0; i < 4; i++) words[at + i] = Number(BigInt.asIntN(32, value >> BigInt(32 * i)));
}

/** "-12.345" at scale 4 → -123450n. */
function unscaled(text: string, scale: number): bigint {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = text.replace(/^[-+]/, '').split('.');
  const digits = `${whole}${fraction.padEnd(scale, '0').slice(0, scale)}`;
  return (negative ? -1n : 1n) * BigInt(digits || '0');
}

/** A Date, an ISO string or epoch milliseconds → microseconds since the epoch (a string keeps its microseconds). */
function microseconds(value: unknown): bigint {
  if (typeof value === 'string') {
    const match = /\.(\d{1,6})/.exec(value);
    const millis = Date.parse(value);
    const micros = match ? Number((match[1] ?? '').padEnd(6, '0')) % 1000 : 0;
    return BigInt(millis) * 1000n + BigInt(micros);
  }
  return BigInt(value instanceof Date ? value.getTime() : Number(value)) * 1000n;
}
