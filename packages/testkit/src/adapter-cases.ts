import { gunzipSync } from 'node:zlib';
import { expect } from '@jest/globals';
import { call, fixtureOperation } from './fixture-connector';
import type { HttpAnswer, HttpCall } from './http-call';

/*
 * One table of behaviours that every adapter must show identically (the serverless-express EACH_MATRIX idea): each
 * adapter test supplies an `Invoke` that carries an HTTP-level call through its platform's real shapes (Lambda
 * events, Azure HttpRequest, functions-framework's server, …) and back.
 */

export interface AdapterCase {
  readonly name: string;
  readonly call: HttpCall;
  readonly check: (answer: HttpAnswer) => void;
  /** Needs a repeated query key, which single-value transports (ALB single-value mode, direct invoke) cannot carry. */
  readonly repeatedQuery?: boolean;
  /** Sends a body that is not JSON under `content-type: application/json` (body parsers reject it before us). */
  readonly invalidJsonBody?: boolean;
}

/** Bytes that are not valid UTF-8 (a gzip magic number, 0xff, NUL): they survive only as bytes. */
export const NON_UTF8_BYTES = Buffer.from([0x1f, 0x8b, 0xff, 0x00, 0xfe]);
export const UNICODE_TEXT = 'héllo ✓ 日本 🚀';

const JSON_HEADERS = { 'content-type': 'application/json' };

export function adapterCases(platform: string): AdapterCase[] {
  return [
    {
      name: 'GET health answers the health object with the platform and the trace id',
      call: { method: 'GET', path: '/api/v1/test/health', query: { trace_id: '1234' } },
      check: (answer) => {
        expect(answer.status).toBe(200);
        expect(answer.headers['x-mcd-trace-id']).toBe('1234');
        expect(answer.headers['content-type']).toBe('application/json');
        expect(jsonOf(answer)).toMatchObject({ platform, version: '9.9.9', build: '42', trace_id: '1234' });
      },
    },
    {
      name: 'POST health reads its parameters from the JSON body',
      call: { method: 'POST', path: '/api/v1/test/health', headers: JSON_HEADERS, body: json({ trace_id: 'posted' }) },
      check: (answer) => {
        expect(answer.status).toBe(200);
        expect(jsonOf(answer)).toMatchObject({ platform, trace_id: 'posted' });
      },
    },
    {
      name: 'a repeated query key keeps every value (the first one is the trace id)',
      call: { method: 'GET', path: '/api/v1/test/health', query: { trace_id: ['first one', 'second'] } },
      repeatedQuery: true,
      check: (answer) => {
        expect(answer.status).toBe(200);
        expect(jsonOf(answer)).toMatchObject({ trace_id: 'first one' });
      },
    },
    {
      name: 'an operation answers its result envelope',
      call: executeCall('echo', fixtureOperation([call('echo', { rows: [[1, 'a']] })])),
      check: (answer) => {
        expect(answer.status).toBe(200);
        expect(answer.headers['x-mcd-trace-id']).toBe('trace-1');
        expect(jsonOf(answer)).toEqual({ __mcd_result__: { rows: [[1, 'a']] }, __mcd_trace_id__: 'trace-1' });
      },
    },
    {
      name: 'a unicode request body round-trips unchanged',
      call: executeCall('echo', fixtureOperation([call('echo', UNICODE_TEXT)])),
      check: (answer) => {
        expect(answer.status).toBe(200);
        expect(jsonOf(answer)).toEqual({ __mcd_result__: UNICODE_TEXT, __mcd_trace_id__: 'trace-1' });
      },
    },
    {
      name: 'a binary result comes back as the exact bytes',
      call: executeCall(
        'bytes',
        fixtureOperation([call('echo', { __type__: 'bytes', __data__: NON_UTF8_BYTES.toString('base64') })]),
      ),
      check: (answer) => {
        expect(answer.status).toBe(200);
        expect(answer.headers['content-type']).toBe('application/octet-stream');
        expect(answer.headers['x-mcd-trace-id']).toBe('trace-1');
        expect(answer.body.equals(NON_UTF8_BYTES)).toBe(true);
      },
    },
    {
      name: 'a compressed result comes back as the gzip of the envelope',
      call: executeCall(
        'gzip',
        fixtureOperation([call('repeat', 'artemis ', 100)], { compress_response_threshold_bytes: 10 }),
      ),
      check: (answer) => {
        expect(answer.status).toBe(200);
        expect(answer.headers['content-type']).toBe('application/gzip');
        expect(JSON.parse(gunzipSync(answer.body).toString('utf8'))).toEqual({
          __mcd_result__: 'artemis '.repeat(100),
          __mcd_trace_id__: 'trace-1',
        });
      },
    },
    {
      name: 'a request without commands is a 400 envelope naming the field',
      call: executeCall('bad', json({ operation: { trace_id: 'bad-1' } })),
      check: (answer) => {
        expect(answer.status).toBe(400);
        expect(envelopeOf(answer)).toEqual({
          __mcd_error__: 'Invalid request: operation.commands is required',
          __mcd_exception__: 'BadRequestError: Invalid request: operation.commands is required',
          __mcd_trace_id__: 'bad-1',
        });
      },
    },
    {
      // The core sees exactly these bytes: had an adapter decoded them as UTF-8 they would be replacement characters.
      name: 'a body of non-UTF-8 bytes reaches the core as those bytes (a 400 envelope, not a crash)',
      call: executeCall('bytes', NON_UTF8_BYTES),
      invalidJsonBody: true,
      check: (answer) => {
        expect(answer.status).toBe(400);
        expect(answer.headers['content-type']).toBe('application/json');
        expect(envelopeOf(answer)).toEqual({
          __mcd_error__: 'Request body is not valid UTF-8',
          __mcd_exception__: 'BadRequestError: Request body is not valid UTF-8',
        });
      },
    },
    {
      name: 'an unknown path is a 404 envelope',
      call: { method: 'GET', path: '/api/v1/nope' },
      check: (answer) => {
        expect(answer.status).toBe(404);
        expect(envelopeOf(answer)).toEqual({
          __mcd_error__: 'No route for GET /api/v1/nope',
          __mcd_exception__: 'RouteNotFoundError: No route for GET /api/v1/nope',
          __mcd_error_type__: 'NotFound',
        });
      },
    },
    {
      name: 'a wrong method is a 405 envelope with Allow',
      call: { method: 'DELETE', path: '/api/v1/test/health' },
      check: (answer) => {
        expect(answer.status).toBe(405);
        expect(answer.headers.allow).toBe('GET, POST');
        expect(envelopeOf(answer).__mcd_error__).toBe(
          'Method DELETE is not allowed for /api/v1/test/health; allowed: GET, POST',
        );
      },
    },
    {
      name: 'GET / answers liveness',
      call: { method: 'GET', path: '/' },
      check: (answer) => {
        expect(answer.status).toBe(200);
        expect(jsonOf(answer)).toEqual({ status: 'up' });
      },
    },
  ];
}

function executeCall(operationName: string, body: Buffer): HttpCall {
  return { method: 'POST', path: `/api/v1/agent/execute/fixture/${operationName}`, headers: JSON_HEADERS, body };
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

export function jsonOf(answer: HttpAnswer): Record<string, unknown> {
  return JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
}

/** The error envelope without its stack trace (which names bundle lines), after checking the trace is lines. */
export function envelopeOf(answer: HttpAnswer): Record<string, unknown> {
  const { __mcd_stack_trace__: stack, ...rest } = jsonOf(answer);
  expect(Array.isArray(stack)).toBe(true);
  return rest;
}
