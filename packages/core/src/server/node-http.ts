import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import { encodeJsonBuffer } from '../encoding/json-encoder';
import type { AgentRequest } from '../protocol/agent-request';
import { type AgentResponse, isReadable, JSON_CONTENT_TYPE } from '../protocol/agent-response';

/*
 * node:http ⇄ AgentRequest/AgentResponse, shared by the local server and the Cloud Run server. Plain objects only:
 * no Fetch Request/Response on the hot path (SPEC §11).
 */

export function fromIncomingMessage(req: IncomingMessage, body: Buffer): AgentRequest {
  const url = req.url ?? '/';
  const queryStart = url.indexOf('?');
  const path = queryStart < 0 ? url : url.slice(0, queryStart);
  const query: Record<string, string | string[]> = Object.create(null);
  if (queryStart >= 0) {
    for (const [key, value] of new URLSearchParams(url.slice(queryStart + 1))) {
      const existing = query[key];
      query[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
    }
  }
  const headers: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { method: req.method ?? 'GET', path, query, headers, body };
}

export function writeAgentResponse(res: ServerResponse, response: AgentResponse): void {
  const { body } = response;
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  if (isReadable(body)) {
    if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/octet-stream');
    // A stream that fails half-way cannot become an error envelope any more: the client sees a cut connection.
    pipeline(body, res, () => {});
    return;
  }
  if (body instanceof Uint8Array) {
    res.setHeader('content-length', body.length);
    res.end(body);
    return;
  }
  const encoded = encodeJsonBuffer(body);
  res.setHeader('content-type', JSON_CONTENT_TYPE);
  res.setHeader('content-length', encoded.length);
  res.end(encoded);
}

/**
 * Reads a request body up to `limit` bytes. Resolves `undefined` when the body is larger: the caller answers 413 and
 * the rest of the upload is drained by node:http, so the connection and the server stay healthy.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => !tooLarge && resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}
