import type { Readable } from 'node:stream';
import { pipeline, Transform } from 'node:stream';
import { constants, createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import {
  AgentError,
  type GuardedStreamResponse,
  guardedStreamRequest,
  type NetworkGuard,
  OperationError,
} from '@artemis/core';
import { ConnectionError, HTTPError } from './http-error';

/** One request as the http connector sends it, before redirects. */
export interface HttpExchange {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
  readonly timeoutMs: number;
  readonly ca?: string;
  readonly rejectUnauthorized: boolean;
  /** The header carrying the credentials' token: dropped when a redirect leaves the origin (as requests does). */
  readonly authHeader?: string;
}

/** requests' own limit is 30; 10 is what browsers and curl's users meet in practice. */
const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Sends `exchange` through the SSRF guard and follows redirects the way python-requests does (303, and 301/302 after
 * a POST, become a GET without a body; 307/308 resend as they are), each hop being a new guarded request: a redirect
 * to a metadata or loopback address is refused like a direct request to it.
 */
export async function sendFollowingRedirects(
  guard: NetworkGuard,
  exchange: HttpExchange,
): Promise<GuardedStreamResponse> {
  let current = exchange;
  for (let hop = 0; ; hop++) {
    const response = await guardedStreamRequest(guard, current.url, {
      method: current.method,
      headers: current.headers,
      body: current.body,
      timeoutMs: current.timeoutMs,
      ca: current.ca,
      rejectUnauthorized: current.rejectUnauthorized,
    }).catch((error: unknown) => {
      // The guard's refusals are answered as they are; transport failures say which URL failed and why.
      throw error instanceof AgentError ? error : new ConnectionError(current.url, error);
    });
    const location = response.headers.location;
    if (!REDIRECT_STATUSES.has(response.status) || !location) return response;
    response.body.resume();
    if (hop >= MAX_REDIRECTS) throw new OperationError(`Exceeded ${MAX_REDIRECTS} redirects.`);
    current = redirected(current, response, new URL(location, response.url).href);
  }
}

function redirected(previous: HttpExchange, response: GuardedStreamResponse, url: string): HttpExchange {
  const becomesGet =
    response.status === 303 || ((response.status === 301 || response.status === 302) && previous.method === 'POST');
  const headers = { ...previous.headers };
  if (becomesGet) {
    for (const name of Object.keys(headers)) {
      if (/^content-(type|length)$/i.test(name)) delete headers[name];
    }
  }
  if (previous.authHeader && new URL(url).origin !== response.url.origin) {
    for (const name of Object.keys(headers)) {
      if (name.toLowerCase() === previous.authHeader.toLowerCase()) delete headers[name];
    }
  }
  return {
    ...previous,
    url,
    headers,
    method: becomesGet && previous.method !== 'HEAD' ? 'GET' : previous.method,
    body: becomesGet ? undefined : previous.body,
  };
}

/** The body with its `content-encoding` undone, as requests' `iter_content` yields it. */
export function decodedBody(response: GuardedStreamResponse): Readable {
  const encoding = String(response.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  // Sync-flush finishing, as browsers and curl decode: an empty body (HEAD, 204) or a truncated tail is not an error.
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip({ finishFlush: constants.Z_SYNC_FLUSH })
      : encoding === 'deflate'
        ? createInflate({ finishFlush: constants.Z_SYNC_FLUSH })
        : encoding === 'br'
          ? createBrotliDecompress({ finishFlush: constants.BROTLI_OPERATION_FLUSH })
          : undefined;
  if (!decoder) return response.body;
  return pipeline(response.body, decoder, () => {
    // Errors reach the consumer through the returned stream; pipeline needs a callback to destroy both ends.
  });
}

/** Reads a (decoded) body into memory, refusing one larger than `maxBytes` rather than cutting it silently. */
export async function readBody(body: Readable, maxBytes: number, response: GuardedStreamResponse): Promise<Buffer> {
  const url = response.url.href;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        body.destroy();
        throw new OperationError(
          `Response from ${url} exceeds ${maxBytes} bytes; use download_to_storage for large responses.`,
        );
      }
      chunks.push(chunk);
    }
  } catch (error) {
    // A timeout or a reset in the middle of the body is a transport failure like one before the headers; the socket
    // only says "aborted", the signal says why.
    if (error instanceof AgentError) throw error;
    throw new ConnectionError(url, response.signal.aborted ? response.signal.reason : error);
  }
  return Buffer.concat(chunks);
}

async function readPrefix(body: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= maxBytes) break;
  }
  return Buffer.concat(chunks).subarray(0, maxBytes);
}

/** Passes bytes through and counts them (download_to_storage reports the size it stored). */
export function byteCounter(): Transform & { readonly bytes: number } {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  return Object.defineProperty(counter, 'bytes', { get: () => bytes }) as Transform & { readonly bytes: number };
}

/** Throws the HTTPError for a 4xx/5xx answer, with its body text as the message (capped: it is for humans). */
export async function assertSuccess(response: GuardedStreamResponse): Promise<void> {
  if (response.status < 400) return;
  const text = await readPrefix(decodedBody(response), 64 * 1024).then(
    (buffer) => buffer.toString('utf8'),
    () => '',
  );
  throw new HTTPError(
    response.url.href,
    response.status,
    response.reason,
    text,
    retryAfterMs(response.headers['retry-after']),
  );
}

/** `Retry-After` is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
