import { decimal, typed } from '@artemis/core';
import type { CustomTypesConfig, FieldDef } from 'pg';
import type { ColumnDescription } from '../db-api/sql-driver';

type TypeParser = (text: string) => unknown;
type DefaultParsers = CustomTypesConfig['getTypeParser'];

/** PostgreSQL type OIDs whose text form must not go through a lossy JavaScript number or a local-time Date. */
const Oid = {
  int8: 20,
  numeric: 1700,
  date: 1082,
  time: 1083,
  timetz: 1266,
  timestamp: 1114,
  interval: 1186,
  money: 790,
} as const;

/**
 * Values keep their precision (SPEC §4): int8 → bigint and numeric → decimal (both `{"__type__":"decimal"}` on the
 * wire, digits and scale kept), date → `{"__type__":"date"}`, time → `{"__type__":"time"}`, timestamp without time
 * zone → a Date read as UTC (pg would read it in the process's local zone), timestamptz → Date, bytea → Buffer,
 * json/jsonb → objects. Interval and money stay text (as psycopg2 users would print them).
 */
export function postgresTypes(defaults: DefaultParsers): CustomTypesConfig {
  const parsers = new Map<number, TypeParser>([
    [Oid.int8, (text) => BigInt(text)],
    [Oid.numeric, (text) => decimal(text)],
    [Oid.date, (text) => typed('date', text)],
    [Oid.time, (text) => typed('time', text)],
    [Oid.timetz, (text) => typed('time', text)],
    [Oid.timestamp, parseTimestampAsUtc],
    [Oid.interval, (text) => text],
    [Oid.money, (text) => text],
  ]);
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      (format ?? 'text') === 'text' && parsers.has(oid)
        ? parsers.get(oid)
        : defaults(oid, format as 'text')) as DefaultParsers,
  };
}

function parseTimestampAsUtc(text: string): Date | string {
  // "2024-01-02 03:04:05.123456"; 'infinity', '-infinity' and BC dates stay text.
  if (!/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(text)) return text;
  return new Date(`${text.replace(' ', 'T')}Z`);
}

/** psycopg2's `cursor.description`: (name, type_code=OID, None, internal_size, precision, scale, None). */
export function describeColumn(field: FieldDef): ColumnDescription {
  let precision: number | null = null;
  let scale: number | null = null;
  if (field.dataTypeID === Oid.numeric && field.dataTypeModifier >= 4) {
    const modifier = field.dataTypeModifier - 4;
    precision = (modifier >> 16) & 0xffff;
    scale = modifier & 0xffff;
  }
  return [field.name, field.dataTypeID, null, field.dataTypeSize, precision, scale, null];
}
