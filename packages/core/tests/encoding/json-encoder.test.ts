import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { decimal, encodeJson, gzipBuffer } from '../../src/encoding/json-encoder';

describe('encodeJson', () => {
  it('encodes special values at the top level and nested alike', () => {
    // Prepare
    const date = new Date('2024-01-02T03:04:05Z');

    // Act
    const encoded = JSON.parse(encodeJson([date, { deep: [date] }, 1n, undefined, new Uint8Array([1, 2])]));

    // Assess
    const datetime = { __type__: 'datetime', __data__: '2024-01-02T03:04:05+00:00' };
    expect(encoded).toEqual([
      datetime,
      { deep: [datetime] },
      { __type__: 'decimal', __data__: '1' },
      null,
      { __type__: 'bytes', __data__: 'AQI=' },
    ]);
  });

  it('keeps the plain values that follow an encoded one in an array (a database row)', () => {
    // Act
    const encoded = JSON.parse(encodeJson([[1n, 'label', 2, 3n, true]]));

    // Assess
    const decimalOf = (digits: string) => ({ __type__: 'decimal', __data__: digits });
    expect(encoded).toEqual([[decimalOf('1'), 'label', 2, decimalOf('3'), true]]);
  });

  it('encodes a top-level undefined as null and an invalid date with null data', () => {
    expect(encodeJson(undefined)).toBe('null');
    expect(encodeJson(new Date(Number.NaN))).toBe('{"__type__":"datetime","__data__":null}');
  });

  it('keeps decimal() digits exact', () => {
    expect(encodeJson({ amount: decimal('12345678901234567890.50') })).toBe(
      '{"amount":{"__type__":"decimal","__data__":"12345678901234567890.50"}}',
    );
  });

  it('respects a value’s own toJSON', () => {
    expect(encodeJson({ custom: { toJSON: () => 'custom!' } })).toBe('{"custom":"custom!"}');
  });

  it('gzips off the event loop and round-trips', async () => {
    // Act
    const gz = await gzipBuffer(Buffer.from(encodeJson({ a: 'x'.repeat(1000) })));

    // Assess
    expect(JSON.parse(gunzipSync(gz).toString())).toEqual({ a: 'x'.repeat(1000) });
  });
});
