import { decimal, typed } from '@artemis/core';
import type { FieldPacket, TypeCast } from 'mysql2';
import type { ColumnDescription } from '../db-api/sql-driver';

/**
 * Values keep their precision, as for PostgreSQL: DECIMAL → decimal, BIGINT → bigint, DATE → `{"__type__":"date"}`,
 * TIME → `{"__type__":"time"}`, DATETIME/TIMESTAMP → Date (the session runs in UTC), binary strings and BLOBs →
 * Buffer, JSON (and MariaDB's JSON-as-LONGTEXT) → objects.
 */
export const mysqlTypeCast: TypeCast = (field, next) => {
  switch (field.type) {
    case 'DECIMAL':
    case 'NEWDECIMAL':
      return nullOr(field.string(), decimal);
    case 'LONGLONG':
      return nullOr(field.string(), (text) => BigInt(text));
    case 'DATE':
    case 'NEWDATE':
      return nullOr(field.string(), (text) => typed('date', text));
    case 'TIME':
    case 'TIME2':
      return nullOr(field.string(), (text) => typed('time', text));
    case 'DATETIME':
    case 'DATETIME2':
    case 'TIMESTAMP':
    case 'TIMESTAMP2':
      return nullOr(field.string(), parseDateTimeAsUtc);
    default:
      if (field.extendedFormat === 'json') return nullOr(field.string(), (text) => JSON.parse(text) as unknown);
      return next();
  }
};

function nullOr<T>(text: string | null, parse: (text: string) => T): T | null {
  return text === null ? null : parse(text);
}

function parseDateTimeAsUtc(text: string): Date | string {
  // Zero dates ('0000-00-00 00:00:00') have no Date: they stay text.
  if (!/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(text) || text.startsWith('0000')) return text;
  return new Date(`${text.replace(' ', 'T')}Z`);
}

const NOT_NULL_FLAG = 1;

/** PyMySQL's `cursor.description`: (name, type_code, None, length, length, decimals, null_ok). */
export function describeColumn(field: FieldPacket): ColumnDescription {
  const flags = typeof field.flags === 'number' ? field.flags : 0;
  const length = field.columnLength ?? field.length ?? null;
  return [
    field.name,
    field.columnType ?? field.type ?? 0,
    null,
    length,
    length,
    field.decimals,
    (flags & NOT_NULL_FLAG) === 0,
  ];
}
