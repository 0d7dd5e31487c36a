import { Readable } from 'node:stream';
import type { AgentServices } from '../agent/agent-services';
import { encodeJsonChunks, gzipChunks } from '../encoding/json-encoder';
import { traceHeaders } from '../http/responses';
import type { MemoryBudget } from '../memory/memory-budget';
import {
  type AgentResponse,
  BINARY_CONTENT_TYPE,
  GZIP_CONTENT_TYPE,
  isBinaryBody,
  JSON_CONTENT_TYPE,
} from '../protocol/agent-response';
import type { Operation } from '../protocol/execute-request';

/**
 * Up to this size an answer in chunks is joined into one Buffer (a Lambda or Azure body is one anyway); above it,
 * the chunks are streamed as they are, never copied into one (a result of a million rows).
 */
const JOIN_UP_TO_BYTES = 8 * 1024 * 1024;

/**
 * Turns an operation's envelope into the answer (SPEC §4 "Large responses"): sizes are measured on the compact
 * JSON of the whole envelope, which is encoded once and sent as those bytes (adapters do not encode it again).
 * Above a limit (the request's, or the runtime's hard payload cap) the envelope goes to storage instead.
 */
export async function shapeResponse(
  envelope: object,
  operation: Operation,
  traceId: string,
  services: AgentServices,
  offloadKey = `responses/${traceId}`,
  memory?: MemoryBudget,
): Promise<AgentResponse> {
  const headers = traceHeaders(traceId);
  const encoded = encodeJsonChunks(envelope, memory);
  const size = encoded.byteLength;
  const limit = operation.response_size_limit_bytes;
  const runtimeLimit = services.responsePayloadLimitBytes;
  if (
    operation.response_type === 'url' ||
    (limit > 0 && size > limit) ||
    (runtimeLimit !== undefined && size > runtimeLimit)
  ) {
    const { offloadResponse } = await import('../storage/offload-response');
    return offloadResponse(envelope as Record<string, unknown>, encoded, operation, traceId, services, offloadKey);
  }
  const threshold = operation.compress_response_threshold_bytes;
  if (threshold > 0 && size > threshold) {
    return { status: 200, headers: { ...headers, 'content-type': GZIP_CONTENT_TYPE }, body: await gzipChunks(encoded) };
  }
  const json = { ...headers, 'content-type': JSON_CONTENT_TYPE };
  const { chunks, byteLength } = encoded;
  if (chunks.length === 1) return { status: 200, headers: json, body: chunks[0] };
  if (byteLength <= JOIN_UP_TO_BYTES) return { status: 200, headers: json, body: Buffer.concat(chunks, byteLength) };
  return {
    status: 200,
    headers: { ...json, 'content-length': String(byteLength) },
    body: Readable.from(chunks, { objectMode: false }),
  };
}

/** Binary results (Buffer, Uint8Array, Readable) go out raw, never wrapped (SPEC §4). */
export function binaryResponse(result: unknown, traceId: string): AgentResponse | undefined {
  if (!isBinaryBody(result)) return undefined;
  const body = result instanceof Uint8Array && !Buffer.isBuffer(result) ? Buffer.from(result) : result;
  return { status: 200, headers: { ...traceHeaders(traceId), 'content-type': BINARY_CONTENT_TYPE }, body };
}
