import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

const SSL_REQUEST_CODE = 80877103;

/**
 * A PostgreSQL TLS terminator in front of a server without TLS (PGlite): it answers the client's SSLRequest with
 * 'S', completes the TLS handshake with the given certificate, and relays the decrypted protocol to `targetPort`.
 * A client that does not ask for TLS is refused ('N' and close), so a connection through it proves TLS was used.
 */
export interface TlsRelay {
  readonly port: number;
  readonly handshakes: number;
  close(): Promise<void>;
}

export async function startPostgresTlsRelay(targetPort: number, tls: { key: string; cert: string }): Promise<TlsRelay> {
  const sockets = new Set<Socket>();
  let handshakes = 0;
  const server = createServer((client) => {
    sockets.add(client);
    client.once('data', (first: Buffer) => {
      if (first.length < 8 || first.readInt32BE(4) !== SSL_REQUEST_CODE) {
        client.end('N');
        return;
      }
      client.write('S');
      const secure = new TLSSocket(client, { isServer: true, key: tls.key, cert: tls.cert });
      secure.once('secure', () => {
        handshakes++;
      });
      const upstream = connect({ host: '127.0.0.1', port: targetPort });
      sockets.add(upstream);
      secure.pipe(upstream).pipe(secure);
      const closeBoth = () => {
        secure.destroy();
        upstream.destroy();
      };
      secure.on('error', closeBoth).on('close', closeBoth);
      upstream.on('error', closeBoth).on('close', closeBoth);
    });
    client.on('error', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    get handshakes() {
      return handshakes;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
