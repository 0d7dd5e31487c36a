// PGlite served on a 127.0.0.1 socket from a worker thread: PGlite runs PostgreSQL as synchronous WebAssembly, so in
// the test's own thread a long statement (pg_sleep) would block the agent under test along with it.
import { parentPort } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const db = await PGlite.create();
const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 32 });
await server.start();
parentPort.postMessage({ port: Number(server.getServerConn().split(':').pop()) });
parentPort.on('message', async (message) => {
  if (message !== 'stop') return;
  await server.stop();
  await db.close();
  parentPort.postMessage({ stopped: true });
});
