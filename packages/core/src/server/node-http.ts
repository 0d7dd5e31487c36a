import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import { RequestTimeoutError } from '../errors/agent-errors';
import { type AgentRequest, appendQueryValue, type QueryValues } from '../protocol/agent-request';
import { type AgentResponse, isReadable } from '../protocol/agent-response';
import { toWireResponse } from '../protocol/wire-response';

/*
 * node:http ⇄ AgentRequest/AgentResponse, shared by the local server and the Cloud Run server. Plain objects only:
 * no Fetch Request/Response on the hot path (SPEC §11).
 */

export function fromIncomingMessage(req: IncomingMessage, body: Buffer): AgentRequest {
  const url = req.url ?? '/';
  const queryStart = url.indexOf('?');
  const path = queryStart < 0 ? url : url.slice(0, queryStart);
  const query: QueryValues = Object.create(null);
  if (queryStart >= 0) {
    for (const [key, value] of new URLSearchParams(url.slice(queryStart + 1))) appendQueryValue(query, key, value);
  }
  return { method: req.method ?? 'GET', path, query, headers: singleValuedHeaders(req.headers), body };
}

/** node:http's own header object when every value is already one string (almost always): no copy per request. */
function singleValuedHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  for (const name in headers) {
    if (typeof headers[name] !== 'string') {
      const joined: Record<string, string> = Object.create(null);
      for (const [key, value] of Object.entries(headers)) {
        if (value !== undefined) joined[key] = Array.isArray(value) ? value.join(', ') : value;
      }
      return joined;
    }
  }
  return headers as Record<string, string>;
}

export function writeAgentResponse(res: ServerResponse, response: AgentResponse): void {
  const { status, headers, body } = toWireResponse(response);
  if (isReadable(body)) {
    res.writeHead(status, headers);
    // A stream that fails half-way cannot become an error envelope any more: the client sees a cut connection.
    pipeline(body, res, () => {});
    return;
  }
  // A JSON body goes out as a string: node:http sends headers and body in one write, with no Buffer to allocate.
  headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(status, headers);
  if (typeof body !== 'string' && body.length <= ONE_WRITE_BYTES) {
    // So does a small Buffer (a pre-encoded health answer), as latin1 text: byte for byte the same, one write(2)
    // of headers and body instead of a writev of two chunks.
    res.end(body.toString('latin1'), 'latin1');
    return;
  }
  res.end(body);
}

/** Buffers up to this size are sent in the same write as the headers. */
const ONE_WRITE_BYTES = 16 * 1024;

export const EMPTY_BODY = Buffer.alloc(0);

/** A request without Content-Length or Transfer-Encoding has no body (a GET). */
export function declaresNoBody(req: IncomingMessage): boolean {
  return req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined;
}

/** How slowly a request body may arrive before the local server (and Cloud Run's) cuts it. */
export interface BodyPace {
  /** No body byte for this long cuts the request. */
  readonly idleMs: number;
  /** After the first `idleMs`, the body must average at least this many bytes per second; 0: no floor. */
  readonly minBytesPerSecond: number;
}

/**
 * Reads a request body up to `limit` bytes. Resolves `undefined` when the body is larger: the caller answers 413 and
 * the rest of the upload is drained by node:http, so the connection and the server stay healthy. With a `pace`, a
 * body that stalls or dribbles in slower than its floor rejects with a RequestTimeoutError (408, connection closed),
 * so a slow client cannot hold a socket and its buffers for the whole request timeout.
 */
export function readBody(req: IncomingMessage, limit: number, pace?: BodyPace): Promise<Buffer | undefined> {
  // A request that declares no body (a GET) is answered without waiting for its 'end' event.
  if (declaresNoBody(req)) return Promise.resolve(EMPTY_BODY);
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    const watch = pace ? watchPace(req, pace, () => size, reject) : undefined;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      watch?.arrived();
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        watch?.stop();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => {
      watch?.stop();
      if (!tooLarge) resolve(Buffer.concat(chunks, size));
    });
    req.once('error', (error) => {
      watch?.stop();
      reject(error);
    });
    req.once('close', () => watch?.stop());
  });
}

/**
 * One timer per body, re-armed only when it fires (never per chunk): it is due when the body has been idle for
 * `idleMs`, or when fewer bytes have arrived than the floor rate allows after a grace of `idleMs`, the way Apache's
 * mod_reqtimeout extends its body timeout by the bytes received.
 */
function watchPace(req: IncomingMessage, pace: BodyPace, received: () => number, reject: (error: Error) => void) {
  const started = performance.now();
  let lastArrival = started;
  const due = () =>
    Math.min(
      lastArrival + pace.idleMs,
      pace.minBytesPerSecond > 0 ? started + pace.idleMs + (received() * 1000) / pace.minBytesPerSecond : Infinity,
    );
  const check = () => {
    const wait = due() - performance.now();
    if (wait > 0) {
      timer = setTimeout(check, wait);
      return;
    }
    req.removeAllListeners('data');
    req.pause();
    reject(
      new RequestTimeoutError(
        `Request body arrived too slowly (nothing for ${pace.idleMs} ms, or under ${pace.minBytesPerSecond} bytes/s); connection closed`,
      ),
    );
  };
  let timer: NodeJS.Timeout | undefined = setTimeout(check, pace.idleMs);
  return {
    arrived: () => {
      lastArrival = performance.now();
    },
    stop: () => {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
