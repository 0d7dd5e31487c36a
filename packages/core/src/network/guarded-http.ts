import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type NetworkGuard, pinnedLookup } from './network-guard';

export interface GuardedResponse {
  readonly status: number;
  readonly reason: string;
  readonly headers: IncomingMessage['headers'];
  /** The body, cut at `maxBodyBytes`. */
  readonly body: Buffer;
}

/** A response whose body has not been read yet: the caller consumes (or destroys) `body`. */
export interface GuardedStreamResponse {
  readonly url: URL;
  readonly status: number;
  readonly reason: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: IncomingMessage;
  /** Aborted when the timeout (or the caller's signal) ends the exchange; its reason says why a body stopped. */
  readonly signal: AbortSignal;
}

export interface GuardedRequestOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
  /** Bounds the whole exchange, body included. */
  readonly timeoutMs: number;
  readonly maxBodyBytes?: number;
  /** Extra trusted CA certificates (PEM) for https; they replace the default roots, as a CA bundle does. */
  readonly ca?: string;
  /** `false` skips certificate verification (explicit `verify_ssl=False` / `ssl_options.disabled`). */
  readonly rejectUnauthorized?: boolean;
  /** Lets the caller cancel the request (and its body stream) besides the timeout. */
  readonly signal?: AbortSignal;
}

/**
 * One HTTP request through the SSRF guard, answering as soon as the headers arrive: the URL's host is resolved and
 * checked once, and the socket connects to that checked address (TLS still verifies the certificate against the host
 * name). Redirects are not followed: a redirect could lead anywhere, so a caller that follows one sends a new guarded
 * request.
 */
export async function guardedStreamRequest(
  guard: NetworkGuard,
  rawUrl: string,
  options: GuardedRequestOptions,
): Promise<GuardedStreamResponse> {
  const { url, destination } = await guard.resolveUrl(rawUrl);
  const isHttps = url.protocol === 'https:';
  const send = isHttps ? httpsRequest : httpRequest;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const tls = isHttps ? { ca: options.ca, rejectUnauthorized: options.rejectUnauthorized ?? true } : {};
  return new Promise<GuardedStreamResponse>((resolve, reject) => {
    const req = send(url, {
      method: options.method ?? 'GET',
      headers: withContentLength(options.headers, options.body),
      lookup: pinnedLookup(destination),
      signal,
      ...tls,
    });
    req.once('error', reject);
    req.once('response', (res) =>
      resolve({
        url,
        status: res.statusCode ?? 0,
        reason: res.statusMessage ?? '',
        headers: res.headers,
        body: res,
        signal,
      }),
    );
    req.end(options.body);
  });
}

/**
 * A body's length in its headers, unless they give one: node frames a body of POST and PUT on its own (chunked), but
 * sends one of GET, HEAD, DELETE or OPTIONS with no framing at all, which a server reads as a second, broken request
 * (python-requests always sends Content-Length).
 */
function withContentLength(
  headers: Readonly<Record<string, string>> | undefined,
  body: Buffer | string | undefined,
): Readonly<Record<string, string>> | undefined {
  if (
    body === undefined ||
    Object.keys(headers ?? {}).some((name) => /^(content-length|transfer-encoding)$/i.test(name))
  ) {
    return headers;
  }
  return { ...headers, 'content-length': String(Buffer.byteLength(body)) };
}

/** {@link guardedStreamRequest} with the body read into memory, cut at `maxBodyBytes` (default 1 MiB). */
export async function guardedRequest(
  guard: NetworkGuard,
  rawUrl: string,
  options: GuardedRequestOptions,
): Promise<GuardedResponse> {
  const { status, reason, headers, body } = await guardedStreamRequest(guard, rawUrl, options);
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= maxBodyBytes) {
      body.destroy();
      break;
    }
  }
  return { status, reason, headers, body: Buffer.concat(chunks).subarray(0, maxBodyBytes) };
}
