import type { Readable } from 'node:stream';

/**
 * What the core answers. `body` is a JSON value (adapters encode it with `encodeJson`), a Buffer sent as it is
 * (its content type is in `headers`), or a Readable streamed to the client.
 */
export interface AgentResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export const JSON_CONTENT_TYPE = 'application/json';
export const BINARY_CONTENT_TYPE = 'application/octet-stream';
export const GZIP_CONTENT_TYPE = 'application/gzip';

export function isReadable(value: unknown): value is Readable {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Readable).pipe === 'function' &&
    typeof (value as Readable).on === 'function'
  );
}

/** True when the body is sent as raw bytes or a stream rather than encoded as JSON. */
export function isBinaryBody(body: unknown): body is Buffer | Uint8Array | Readable {
  return body instanceof Uint8Array || isReadable(body);
}
