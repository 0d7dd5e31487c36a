import { Readable } from 'node:stream';
import type { AgentServices } from '../agent/agent-services';
import { encodeJsonBuffer, encodeJsonChunks, gzipChunks, type JsonChunks } from '../encoding/json-encoder';
import { traceHeaders } from '../http/responses';
import { type AgentResponse, JSON_CONTENT_TYPE } from '../protocol/agent-response';
import type { Operation } from '../protocol/execute-request';
import { WireKey } from '../protocol/wire-keys';

/**
 * A response handed back through storage (SPEC §4, apollo-inventory §4.1): the envelope is written to
 * `responses/<trace_id>` (an async job's: `async/<request_id>/result`) and the body carries a pre-signed URL to it.
 *
 * - `response_type: "url"` stores the bare result (the UI fetches it directly) and is never gzipped;
 * - otherwise the whole envelope is stored, gzipped when `compress_response_file` (the body then says so);
 * - an error envelope has nothing to unwrap: it is stored whole and the body keeps its error keys plus the location.
 */
export async function offloadResponse(
  envelope: Readonly<Record<string, unknown>>,
  encodedEnvelope: JsonChunks,
  operation: Operation,
  traceId: string,
  services: AgentServices,
  key = `responses/${traceId}`,
): Promise<AgentResponse> {
  const isError = WireKey.error in envelope;
  const asUrl = operation.response_type === 'url';
  const encoded = asUrl && !isError ? encodeJsonChunks(envelope[WireKey.result]) : encodedEnvelope;
  const compressed = operation.compress_response_file === true && !asUrl;
  // The chunks go up as they are (a stream: multipart / block upload), never joined into one copy first.
  const contents = compressed
    ? await gzipChunks(encoded)
    : encoded.chunks.length === 1
      ? (encoded.chunks[0] as Buffer)
      : Readable.from(encoded.chunks, { objectMode: false });

  const storage = await services.storage();
  await storage.write(key, contents);
  const url = await storage.presignedUrl(key, services.config.preSignedUrlExpirationSeconds);

  const body: Record<string, unknown> = isError
    ? { ...envelope, [WireKey.resultLocation]: url }
    : { [WireKey.resultLocation]: url, [WireKey.traceId]: traceId };
  if (compressed) body[WireKey.resultCompressed] = true;
  return {
    status: 200,
    headers: { ...traceHeaders(traceId), 'content-type': JSON_CONTENT_TYPE },
    body: encodeJsonBuffer(body),
  };
}
