import type { AgentServices } from '../agent/agent-services';
import { encodeJsonBuffer, gzipBuffer } from '../encoding/json-encoder';
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
  const encoded = encodeJsonBuffer(envelope, memory);
  const size = encoded.length;
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
    return { status: 200, headers: { ...headers, 'content-type': GZIP_CONTENT_TYPE }, body: await gzipBuffer(encoded) };
  }
  return { status: 200, headers: { ...headers, 'content-type': JSON_CONTENT_TYPE }, body: encoded };
}

/** Binary results (Buffer, Uint8Array, Readable) go out raw, never wrapped (SPEC §4). */
export function binaryResponse(result: unknown, traceId: string): AgentResponse | undefined {
  if (!isBinaryBody(result)) return undefined;
  const body = result instanceof Uint8Array && !Buffer.isBuffer(result) ? Buffer.from(result) : result;
  return { status: 200, headers: { ...traceHeaders(traceId), 'content-type': BINARY_CONTENT_TYPE }, body };
}
