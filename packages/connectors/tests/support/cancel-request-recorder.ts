import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';

const CANCEL_REQUEST_CODE = 80877102;

/**
 * A TCP relay in front of a PostgreSQL server that records the CancelRequest packets it sees (process id, secret
 * key), for servers that accept but ignore them (PGlite): the test can then prove the agent sent one.
 */
export interface CancelRequestRecorder {
  readonly port: number;
  readonly cancelRequests: { processId: number }[];
  close(): Promise<void>;
}

export async function startCancelRequestRecorder(targetPort: number): Promise<CancelRequestRecorder> {
  const cancelRequests: { processId: number }[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    sockets.add(upstream);
    client.once('data', (first: Buffer) => {
      if (first.length >= 16 && first.readInt32BE(0) === 16 && first.readInt32BE(4) === CANCEL_REQUEST_CODE) {
        cancelRequests.push({ processId: first.readInt32BE(8) });
      }
      upstream.write(first);
      client.pipe(upstream);
    });
    upstream.pipe(client);
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', closeBoth).on('close', closeBoth);
    upstream.on('error', closeBoth).on('close', closeBoth);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    cancelRequests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
