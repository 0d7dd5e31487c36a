import { toWireResponse } from '@artemis/core/runtime';
import { mustBase64Encode } from './binary';
import type { EventKind } from './event-kind';
import type { LambdaResult } from './lambda-types';

/** An AgentResponse whose streamed body, if any, has been read: Lambda's buffered invoke sends one JSON result. */
export interface BufferedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Raw bytes (their content type is in `headers`) or a JSON value to encode. */
  readonly body: unknown;
}

/**
 * The result in the shape of the event that asked: `multiValueHeaders` only when the event had them (an ALB in
 * multi-value mode ignores `headers`), ALB's `statusDescription`, and never a `cookies` key outside payload 2.0 (v1
 * and ALB answer 502 "Malformed Lambda proxy response" to it). The core sets no cookies, so none are sent at all.
 */
/**
 * Reason phrases for ALB's `statusDescription`, for the statuses the agent answers. A table rather than
 * node:http's STATUS_CODES: loading node:http costs a Lambda cold start a few milliseconds for nothing else.
 */
const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  202: 'Accepted',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function toLambdaResult(kind: EventKind, response: BufferedResponse, multiValueHeaders: boolean): LambdaResult {
  const wire = toWireResponse(response);
  const { headers } = wire;
  let body: string;
  let isBase64Encoded = false;
  if (typeof wire.body === 'string') {
    body = wire.body;
  } else {
    // Bytes: a streamed body has been read into memory by the handler before it gets here.
    isBase64Encoded = mustBase64Encode(headers);
    body = (wire.body as Buffer).toString(isBase64Encoded ? 'base64' : 'utf8');
  }
  const result: LambdaResult = { statusCode: response.status, body, isBase64Encoded };
  if (kind === 'alb') result.statusDescription = `${response.status} ${REASONS[response.status] ?? ''}`.trim();
  if (multiValueHeaders && kind !== 'apigw-v2') {
    const multi: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(headers)) multi[name] = [value];
    result.multiValueHeaders = multi;
  } else {
    result.headers = headers;
  }
  return result;
}

/** Room for the result's status, keys and headers around the body (the core's headers are a handful of lines). */
const FRAME_BYTES = 16 * 1024;

/**
 * Whether Lambda would refuse this result as larger than `limit`, measured without serializing it in the common
 * case: a base64 body needs no escaping, and a text body under a third of the limit cannot exceed it (escaping at
 * most doubles ASCII, and one UTF-16 unit is at most 3 bytes of UTF-8).
 */
export function exceedsLimit(result: LambdaResult, limit: number): boolean {
  if (result.isBase64Encoded) return FRAME_BYTES + result.body.length > limit;
  if (FRAME_BYTES + result.body.length * 3 <= limit) return false;
  return FRAME_BYTES + Buffer.byteLength(JSON.stringify(result.body)) > limit;
}
