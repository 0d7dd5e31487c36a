import type { Readable } from 'node:stream';
import { encodeJson } from '../encoding/json-encoder';
import { isJsonText } from '../encoding/json-text';
import { type AgentResponse, BINARY_CONTENT_TYPE, isReadable, JSON_CONTENT_TYPE } from './agent-response';

/** An AgentResponse as bytes on the wire: what every adapter sends, whatever its platform's response shape. */
export interface WireResponse {
  readonly status: number;
  /** The core's headers, always with a content type; a fresh object each time, so an adapter may add to it. */
  readonly headers: Record<string, string>;
  /** A JSON body encoded as text (one encoder for every runtime), raw bytes as they are, or a stream. */
  readonly body: string | Buffer | Readable;
}

/**
 * The one rule for turning a response into bytes (SPEC §4), used by node:http (local server, Cloud Run), Lambda and
 * Azure alike: a JSON value is encoded with the core's encoder and typed `application/json`; bytes and streams are
 * sent as they are, `application/octet-stream` unless the core typed them (gzip, a stored object's own type).
 */
export function toWireResponse({ status, headers, body }: AgentResponse): WireResponse {
  if (!(body instanceof Uint8Array) && !isReadable(body)) {
    const text = isJsonText(body) ? body.text : encodeJson(body);
    return { status, headers: { 'content-type': JSON_CONTENT_TYPE, ...headers }, body: text };
  }
  const bytes = body instanceof Uint8Array && !Buffer.isBuffer(body);
  return {
    status,
    headers: { 'content-type': BINARY_CONTENT_TYPE, ...headers },
    body: bytes ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : body,
  };
}
