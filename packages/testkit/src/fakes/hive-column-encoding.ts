import { tcli } from './tcli-service';

/** HiveServer2's column types (TTypeId without `_TYPE`), as Spark and Databricks report them. */
export type FakeHiveType =
  | 'BOOLEAN'
  | 'TINYINT'
  | 'SMALLINT'
  | 'INT'
  | 'BIGINT'
  | 'FLOAT'
  | 'DOUBLE'
  | 'STRING'
  | 'VARCHAR'
  | 'CHAR'
  | 'DATE'
  | 'TIMESTAMP'
  | 'BINARY'
  | 'DECIMAL'
  | 'ARRAY'
  | 'MAP'
  | 'STRUCT'
  | 'INTERVAL_YEAR_MONTH'
  | 'INTERVAL_DAY_TIME'
  | 'NULL';

/** A result column: its name, type, and for DECIMAL its precision and scale. */
export interface FakeHiveColumn {
  readonly name: string;
  readonly type: FakeHiveType;
  readonly precision?: number;
  readonly scale?: number;
}

/** TTableSchema of a result: one TColumnDesc per column, primitive entries with DECIMAL's qualifiers. */
export function tableSchema(columns: readonly FakeHiveColumn[]) {
  const { TTypeId } = tcli().types;
  return {
    columns: columns.map((column, index) => ({
      columnName: column.name,
      position: index + 1,
      comment: '',
      typeDesc: {
        types: [
          {
            primitiveEntry: {
              type: TTypeId[`${column.type}_TYPE` as keyof typeof TTypeId] as number,
              ...(column.type === 'DECIMAL'
                ? {
                    typeQualifiers: {
                      qualifiers: {
                        precision: { i32Value: column.precision ?? 38 },
                        scale: { i32Value: column.scale ?? 0 },
                      },
                    },
                  }
                : {}),
            },
          },
        ],
      },
    })),
  };
}

/**
 * A `COLUMN_BASED_SET` page (HiveServer2's classic row set, for clients that cannot read Arrow): one TColumn per
 * column with its values and a null bitmap; BIGINT as i64 (every digit kept), DECIMAL, DATE, TIMESTAMP and the complex
 * types as text, as the server writes them.
 */
export function columnBasedRows(columns: readonly FakeHiveColumn[], rows: readonly (readonly unknown[])[]) {
  return columns.map((column, index) => {
    const values = rows.map((row) => row[index] ?? null);
    const nulls = Buffer.alloc(Math.ceil(values.length / 8));
    values.forEach((value, at) => {
      if (value === null) nulls[at >> 3] = (nulls[at >> 3] ?? 0) | (1 << (at & 7));
    });
    const filled = (fallback: unknown, map: (value: unknown) => unknown) =>
      values.map((value) => (value === null ? fallback : map(value)));
    switch (column.type) {
      case 'BOOLEAN':
        return { boolVal: { values: filled(false, Boolean), nulls } };
      case 'TINYINT':
        return { byteVal: { values: filled(0, Number), nulls } };
      case 'SMALLINT':
        return { i16Val: { values: filled(0, Number), nulls } };
      case 'INT':
        return { i32Val: { values: filled(0, Number), nulls } };
      case 'BIGINT':
        return { i64Val: { values: filled(int64(0n), (value) => int64(BigInt(String(value)))), nulls } };
      case 'FLOAT':
      case 'DOUBLE':
        return { doubleVal: { values: filled(0, Number), nulls } };
      case 'BINARY':
        return { binaryVal: { values: filled(Buffer.alloc(0), (value) => Buffer.from(value as Uint8Array)), nulls } };
      default:
        return {
          stringVal: {
            values: filled('', (value) =>
              typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : JSON.stringify(value),
            ),
            nulls,
          },
        };
    }
  });
}

/** An i64 as thrift writes it from a buffer (big-endian, two's complement): exact past 2^53. */
function int64(value: bigint): { buffer: Buffer } {
  const buffer = Buffer.alloc(8);
  buffer.writeBigInt64BE(BigInt.asIntN(64, value));
  return { buffer };
}
