import { encodeDate } from '@artemis/core';
import type { ColumnDescription, Row } from '../db-api/sql-driver';

/**
 * Apollo's AgentExecuteSqlQueryResponse: `{columns, rows, is_partial}`, with the row values as its
 * `row_value_encoder` writes them: decimals, dates, times and datetimes as text (ISO), the rest unchanged.
 * `rows` holds up to `maxResults` rows; `is_partial` tells that more existed.
 */
export function sqlQueryResponse(description: readonly ColumnDescription[], rows: Row[], maxResults: number) {
  const partial = rows.length > maxResults;
  return {
    columns: description.map((column) => column[0]),
    rows: (partial ? rows.slice(0, maxResults) : rows).map((row) => row.map(encodeValue)),
    is_partial: partial,
  };
}

function encodeValue(value: unknown): unknown {
  if (value instanceof Date) return encodeDate(value).__data__;
  if (typeof value === 'object' && value !== null && '__type__' in value && '__data__' in value) {
    const { __type__: type, __data__: data } = value as { __type__: unknown; __data__: unknown };
    if (type === 'decimal' || type === 'date' || type === 'time') return data;
  }
  return value;
}
