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

export interface GuardedRequestOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
  readonly timeoutMs: number;
  readonly maxBodyBytes?: number;
}

/**
 * One HTTP request through the SSRF guard: the URL's host is resolved and checked once, and the socket connects to
 * that checked address (TLS still verifies the certificate against the host name). Redirects are not followed:
 * a redirect could lead anywhere.
 */
export async function guardedRequest(
  guard: NetworkGuard,
  rawUrl: string,
  options: GuardedRequestOptions,
): Promise<GuardedResponse> {
  const { url, destination } = await guard.resolveUrl(rawUrl);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  return new Promise<GuardedResponse>((resolve, reject) => {
    const req = send(url, {
      method: options.method ?? 'GET',
      headers: options.headers,
      lookup: pinnedLookup(destination),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    req.once('error', reject);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size >= maxBodyBytes) return;
        chunks.push(chunk);
        size += chunk.length;
      });
      res.once('error', reject);
      res.once('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          reason: res.statusMessage ?? '',
          headers: res.headers,
          body: Buffer.concat(chunks).subarray(0, maxBodyBytes),
        }),
      );
    });
    req.end(options.body);
  });
}
