import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';

const SSL_REQUEST_CODE = 80877103;

/**
 * The TLS opening of a PostgreSQL server on 127.0.0.1: it answers the SSLRequest with 'S', completes the handshake
 * with the given certificate, records the SNI name the client sent, and hangs up (no PostgreSQL behind it). Enough
 * to see whether a client accepted the certificate for the name it was given.
 */
export interface TlsPostgresFront {
  readonly port: number;
  /** The SNI name of every completed handshake ('' when the client sent none). */
  readonly handshakes: string[];
  close(): Promise<void>;
}

export async function startTlsPostgresFront(credentials: { key: string; cert: string }): Promise<TlsPostgresFront> {
  const handshakes: string[] = [];
  const secureContext = createSecureContext(credentials);
  const server = createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      if (first.length < 8 || first.readInt32BE(4) !== SSL_REQUEST_CODE) return void socket.destroy();
      socket.write('S');
      const tls = new TLSSocket(socket, { isServer: true, secureContext });
      tls.on('error', () => tls.destroy());
      tls.once('secure', () => {
        handshakes.push(tls.servername || '');
        tls.destroy();
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    handshakes,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
