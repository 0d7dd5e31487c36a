import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export type FakeHandler = (request: IncomingMessage, body: Buffer, response: ServerResponse) => void | Promise<void>;

export interface LocalHttpServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A real node:http (or https, given a certificate) server on 127.0.0.1, on an ephemeral port unless told one: the
 * fakes' transport.
 */
export async function startLocalHttpServer(
  handler: FakeHandler,
  tls?: { readonly key: string; readonly cert: string },
  port = 0,
): Promise<LocalHttpServer> {
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      Promise.resolve(handler(request, Buffer.concat(chunks), response)).catch((error: Error) => {
        response.writeHead(500, { 'content-type': 'text/plain' }).end(`fake failed: ${error.message}`);
      });
    });
  };
  const server = tls ? createHttpsServer(tls, listener) : createHttpServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${address.port}`,
    port: address.port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}
