import { ProgrammingError } from './db-api-errors';

/**
 * A parameter written into the statement as an ANSI SQL literal, for Trino and Presto, whose HTTP protocol takes
 * the statement text only (the Python clients interpolate the same way): NULL, TRUE/FALSE, numbers as digits,
 * strings single-quoted with quotes doubled (ANSI strings have no backslash escapes, so nothing else can end them),
 * bytes as X'hex', dates as TIMESTAMP '…' in UTC, lists as ARRAY[…].
 */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return String(value);
    return `DOUBLE '${Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity'}'`;
  }
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `X'${Buffer.from(value).toString('hex')}'`;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new ProgrammingError('an invalid date cannot be a parameter');
    return `TIMESTAMP '${value.toISOString().replace('T', ' ').replace('Z', '')}'`;
  }
  if (Array.isArray(value)) return `ARRAY[${value.map(sqlLiteral).join(', ')}]`;
  throw new ProgrammingError(
    `a parameter of type ${typeof value === 'object' ? 'object' : typeof value} cannot be written as SQL`,
  );
}
