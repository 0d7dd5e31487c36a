import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

/** A real PostgreSQL (PGlite, in a worker thread) listening on 127.0.0.1, for the real `pg` driver. */
export interface PgliteServer {
  readonly port: number;
  stop(): Promise<void>;
}

export async function startPgliteServer(): Promise<PgliteServer> {
  const worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url));
  const [ready] = (await Promise.race([
    once(worker, 'message'),
    once(worker, 'error').then(([e]) => Promise.reject(e)),
  ])) as [{ port: number }];
  return {
    port: ready.port,
    stop: async () => {
      worker.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        once(worker, 'message'),
        new Promise((resolve) => {
          timer = setTimeout(resolve, 5000);
        }),
      ]);
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}
