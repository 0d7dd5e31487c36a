import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Azurite's well-known development account. */
export const AZURITE_ACCOUNT = {
  name: 'devstoreaccount1',
  key: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
} as const;

/**
 * Azurite's queue service in a child process on an ephemeral 127.0.0.1 port (SPEC §12), in memory. `url` is the
 * account's queue service URL (`http://127.0.0.1:<port>/devstoreaccount1`).
 */
export async function startAzuriteQueue(): Promise<{ url: string; stop(): Promise<void> }> {
  const require = createRequire(import.meta.url);
  const main = join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'queue', 'main.js');
  const child: ChildProcess = spawn(
    process.execPath,
    [main, '--queueHost', '127.0.0.1', '--queuePort', '0', '--inMemoryPersistence', '--disableTelemetry', '--loose'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const base = await new Promise<string>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listens on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (match) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(match[1] as string);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`azurite queue exited with ${code}: ${output}`)));
  });
  return {
    url: `${base}/${AZURITE_ACCOUNT.name}`,
    stop: () =>
      child.exitCode !== null
        ? Promise.resolve()
        : new Promise((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
  };
}

/** The agent's settings for an async queue on Azurite. */
export function azuriteQueueEnv(queueUrl: string, queueName: string): Record<string, string> {
  return {
    MCD_ASYNC_QUEUE_NAME: queueName,
    MCD_ASYNC_QUEUE_ENDPOINT_URL: queueUrl,
    MCD_STORAGE_ACCOUNT_NAME: AZURITE_ACCOUNT.name,
    MCD_STORAGE_ACCESS_KEY: AZURITE_ACCOUNT.key,
  };
}
