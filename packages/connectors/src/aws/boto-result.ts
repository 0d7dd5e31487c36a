import { STATUS_CODES } from 'node:http';
import { gzipBuffer, isReadable, OperationError, typed } from '@artemis/core';

interface SdkMetadata {
  readonly httpStatusCode?: number;
  readonly requestId?: string;
  readonly extendedRequestId?: string;
  readonly attempts?: number;
}

/** A streamed body is read whole: the control plane gets it inline, as Apollo sent a boto StreamingBody. */
const MAX_STREAMING_BODY_BYTES = 100 * 1024 * 1024;

/**
 * An SDK v3 output as boto3 returns it. The member names already match boto3's (both come from the same service
 * models); what differs: `$metadata` becomes boto3's `ResponseMetadata` (RequestId, HostId, HTTPStatusCode,
 * RetryAttempts; the SDK does not keep the response headers), absent members are omitted rather than null, and a
 * streamed body (get_object's `Body`) becomes Apollo's StreamingBody encoding,
 * `{"__type__": "StreamingBody;gzip/base64", "__data__": base64(gzip(bytes))}`, which the control plane decodes.
 */
export async function toBotoResult(output: unknown): Promise<unknown> {
  if (typeof output !== 'object' || output === null) return output;
  const { $metadata: metadata, ...members } = output as { $metadata?: SdkMetadata } & Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(members)) {
    if (value === undefined) continue;
    result[name] = isReadable(value) ? await streamingBody(value) : withoutUndefined(value);
  }
  if (metadata) result.ResponseMetadata = responseMetadata(metadata);
  return result;
}

function responseMetadata(metadata: SdkMetadata): Record<string, unknown> {
  return {
    ...(metadata.requestId ? { RequestId: metadata.requestId } : {}),
    ...(metadata.extendedRequestId ? { HostId: metadata.extendedRequestId } : {}),
    HTTPStatusCode: metadata.httpStatusCode ?? null,
    RetryAttempts: Math.max(0, (metadata.attempts ?? 1) - 1),
  };
}

async function streamingBody(stream: NodeJS.ReadableStream & { destroy?: () => void }) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_STREAMING_BODY_BYTES) {
      stream.destroy?.();
      throw new OperationError(
        `Streaming body exceeds ${MAX_STREAMING_BODY_BYTES} bytes; read it in ranges (Range=...)`,
      );
    }
    chunks.push(chunk);
  }
  return typed('StreamingBody;gzip/base64', (await gzipBuffer(Buffer.concat(chunks))).toString('base64'));
}

/** boto3 omits members the service did not return; JSON would show the SDK's `undefined` as null. */
function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (typeof value !== 'object' || value === null) return value;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(value)) {
    if (member !== undefined) copy[name] = withoutUndefined(member);
  }
  return copy;
}

export function reasonPhrase(status: number | undefined): string {
  return (status && STATUS_CODES[status]) || 'Unknown';
}
