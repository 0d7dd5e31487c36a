import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Client, RequestCallback } from 'presto-client';
import type { StatementEndpoint } from '../trino/statement-endpoint';

type RequestOptions = Parameters<Client['request']>[0];

/**
 * presto-client's transport (`Client.prototype.request`) for one client object: the same request it would send
 * (its headers, user, source, user agent, authorization; JSON parsed with its `jsonParser`; the answer codes it
 * reads), but through the guarded agents (every socket goes to an address the SSRF guard checked, the `nextUri`
 * hosts included), without following redirects, bounded by the request timeout, and after `beforeFetch`, which lets
 * the reader hold the next page back until it wants more rows. presto-client makes its own agents for every request
 * and has no option for them, hence the replacement.
 */
export function guardedPrestoRequest(
  client: Client,
  endpoint: StatementEndpoint,
  beforeFetch: () => Promise<'fetch' | 'cancel'>,
): Client['request'] {
  return (opts: RequestOptions, callback: RequestCallback, authorization?: string) => {
    let url: URL;
    let method: string;
    let body: string | undefined;
    const headers: Record<string, string> = {};
    const isPageFetch = typeof opts === 'string';
    try {
      if (typeof opts === 'string') {
        url = new URL(opts);
        method = 'GET';
      } else {
        url = new URL(opts.path, endpoint.server);
        method = opts.method;
        body = opts.body;
        Object.assign(headers, opts.headers);
      }
    } catch (error) {
      callback(error as Error);
      return undefined;
    }
    const user = typeof opts === 'object' && opts.user ? opts.user : client.user;
    if (user) headers[client.headers.USER as string] = user;
    if (client.source) headers[client.headers.SOURCE as string] = client.source;
    headers[client.headers.USER_AGENT as string] = client.userAgent;
    const auth = authorization ?? client.authorization;
    if (auth) headers[client.headers.AUTHORIZATION as string] = auth;
    Object.assign(headers, endpoint.headers);

    let destroyed = false;
    let callbackOnce: (() => void) | undefined;
    let current: ReturnType<typeof httpRequest> | undefined;
    const send = () => {
      if (destroyed) return;
      const isHttps = url.protocol === 'https:';
      current = (isHttps ? httpsRequest : httpRequest)(url, {
        method,
        headers,
        agent: isHttps ? endpoint.agents.https : endpoint.agents.http,
        timeout: endpoint.requestTimeoutMs,
      });
      current.on('timeout', () =>
        current?.destroy(new Error(`no answer from ${url.host} within ${endpoint.requestTimeoutMs} ms`)),
      );
      current.on('error', (error) => callback(error));
      current.on('response', (response: IncomingMessage) => {
        if (callbackOnce) {
          response.resume();
          return callbackOnce();
        }
        readAnswer(response, method, callback);
      });
      current.end(body);
    };
    if (isPageFetch) {
      beforeFetch().then(
        (next) => {
          if (next === 'fetch') return send();
          // The reader is gone: cancel on the server (DELETE nextUri, as the Python client does), fetch nothing.
          method = 'DELETE';
          callbackOnce = () => callback(new Error('query fetch canceled by operation'));
          send();
        },
        (error: Error) => callback(error),
      );
    } else send();
    return {
      destroy: () => {
        destroyed = true;
        current?.destroy();
      },
    };
  };

  function readAnswer(response: IncomingMessage, method: string, callback: RequestCallback): void {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('error', (error) => callback(error));
    response.on('end', () => {
      const code = response.statusCode ?? 0;
      const text = Buffer.concat(chunks).toString('utf8');
      if (method === 'DELETE' && code === 204) return callback(null, code, null);
      if (code !== 200)
        return callback(new Error(`execution error:${text || `invalid response code (${code})`}`), code, text);
      let data: unknown;
      try {
        if (text[0] !== '{' && text[0] !== '[') throw new Error();
        data = (client as unknown as { jsonParser: { parse(text: string): unknown } }).jsonParser.parse(text);
      } catch {
        return callback(new Error('execution error:could not parse response'), code, text);
      }
      callback(null, code, data);
    });
  }
}
