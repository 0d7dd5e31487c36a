import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface S3rverProcess {
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * s3rver on an ephemeral 127.0.0.1 port, in a child process: its ListObjectsV2 continuation tokens are DES-encrypted,
 * and OpenSSL 3 only offers DES through its legacy provider, which Node enables with a start-up flag
 * (`--openssl-legacy-provider`) that the test process itself should not run with.
 */
export async function startS3rver(buckets: readonly string[]): Promise<S3rverProcess> {
  const directory = await mkdtemp(join(tmpdir(), 'artemis-s3rver-'));
  const launcher = fileURLToPath(new URL('./s3rver-launcher.mjs', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ['--openssl-legacy-provider', launcher, directory, ...buckets], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const [line] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => Promise.reject(new Error(`s3rver exited with code ${code}`))),
  ])) as [string];
  const { port } = JSON.parse(line) as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
      await rm(directory, { recursive: true, force: true });
    },
  };
}
