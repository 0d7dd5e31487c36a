import { NON_UTF8_BYTES } from '@artemis/testkit';
import { describe, expect, it } from '@jest/globals';
import { mustBase64Encode } from '../../src/binary';
import {
  ALB_RESPONSE_LIMIT_BYTES,
  CORE_PAYLOAD_LIMIT_BYTES,
  LAMBDA_RESPONSE_LIMIT_BYTES,
} from '../../src/payload-limit';
import { exceedsLimit, toLambdaResult } from '../../src/to-lambda-result';

describe('mustBase64Encode', () => {
  it.each([
    ['application/json', undefined, false],
    ['application/json; charset=utf-8', undefined, false],
    ['application/problem+json', undefined, false],
    ['text/plain', undefined, false],
    ['text/csv', undefined, false],
    ['application/xml', undefined, false],
    ['application/javascript', undefined, false],
    ['application/octet-stream', undefined, true],
    ['application/gzip', undefined, true],
    ['application/pdf', undefined, true],
    ['application/zip', undefined, true],
    ['image/png', undefined, true],
    [undefined, undefined, true],
    ['application/json', 'gzip', true],
    ['text/plain', 'br', true],
    ['application/json', 'identity', false],
  ])('content-type %p with content-encoding %p → base64 %p', (type, encoding, expected) => {
    // Prepare
    const headers: Record<string, string> = {};
    if (type) headers['content-type'] = type;
    if (encoding) headers['content-encoding'] = encoding;
    // Act
    const actual = mustBase64Encode(headers);
    // Assess
    expect(actual).toBe(expected);
  });
});

describe('toLambdaResult', () => {
  const binary = { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: NON_UTF8_BYTES };

  it('base64-encodes a binary body and sets isBase64Encoded', () => {
    // Act
    const result = toLambdaResult('apigw-v2', binary, false);
    // Assess
    expect(result).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: NON_UTF8_BYTES.toString('base64'),
      isBase64Encoded: true,
    });
  });

  it('answers v1 events that had multiValueHeaders with multiValueHeaders only, and never with cookies', () => {
    // Act
    const result = toLambdaResult(
      'apigw-v1',
      { status: 200, headers: { 'x-mcd-trace-id': 't' }, body: { a: 1 } },
      true,
    );
    // Assess
    expect(result).toEqual({
      statusCode: 200,
      multiValueHeaders: { 'x-mcd-trace-id': ['t'], 'content-type': ['application/json'] },
      body: '{"a":1}',
      isBase64Encoded: false,
    });
  });

  it('gives ALB answers a statusDescription', () => {
    // Act
    const result = toLambdaResult('alb', { status: 404, headers: {}, body: {} }, false);
    // Assess
    expect(result.statusDescription).toBe('404 Not Found');
    expect(result.headers).toEqual({ 'content-type': 'application/json' });
  });

  it('encodes JSON values with the core encoder (dates, bytes, bigint)', () => {
    // Prepare
    const body = { when: new Date('2024-01-02T03:04:05Z'), n: 10n };
    // Act
    const result = toLambdaResult('apigw-v2', { status: 200, headers: {}, body }, false);
    // Assess
    expect(JSON.parse(result.body)).toEqual({
      when: { __type__: 'datetime', __data__: '2024-01-02T03:04:05+00:00' },
      n: { __type__: 'decimal', __data__: '10' },
    });
  });
});

describe('payload limits', () => {
  it('hands the core a limit whose base64 still fits in 6 MB with the result around it', () => {
    // Act
    const result = toLambdaResult(
      'apigw-v2',
      { status: 200, headers: { 'content-type': 'application/gzip' }, body: Buffer.alloc(CORE_PAYLOAD_LIMIT_BYTES) },
      false,
    );
    // Assess
    expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThan(LAMBDA_RESPONSE_LIMIT_BYTES);
    expect(exceedsLimit(result, LAMBDA_RESPONSE_LIMIT_BYTES)).toBe(false);
  });

  it('measures a text body after JSON escaping', () => {
    // Prepare: 3.5 MB of quotes escapes to 7 MB
    const result = toLambdaResult(
      'apigw-v2',
      { status: 200, headers: { 'content-type': 'text/plain' }, body: Buffer.alloc(3_500_000, '"') },
      false,
    );
    // Act
    const exceeds = exceedsLimit(result, LAMBDA_RESPONSE_LIMIT_BYTES);
    // Assess
    expect(exceeds).toBe(true);
  });

  it('holds ALB answers to 1 MB', () => {
    // Prepare
    const result = toLambdaResult('alb', { status: 200, headers: {}, body: Buffer.alloc(800_000) }, false);
    // Act
    const exceeds = exceedsLimit(result, ALB_RESPONSE_LIMIT_BYTES);
    // Assess
    expect(exceeds).toBe(true);
  });
});
