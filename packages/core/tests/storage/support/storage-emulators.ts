import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * s3rver and azurite, each in a child process on an ephemeral 127.0.0.1 port (SPEC §12): they stay out of the test
 * (and bench) process, so its memory figures are the agent's alone, and they stop with the test.
 */
export interface Emulator {
  /** Base URL, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/** The keys s3rver accepts (its fixed test credentials). */
export const S3RVER_KEYS = { accessKey: 'S3RVER', secretKey: 'S3RVER' } as const;

/** s3rver keeps each object as a file under its directory: tests change one behind the agent's back there. */
export interface S3rver extends Emulator {
  /** The file holding the bytes of `key` (full, prefixed) in `bucket`. */
  objectFile(bucket: string, key: string): string;
}

export interface S3rverOptions {
  /** Over HTTPS with this key and certificate (paths). */
  readonly tls?: { readonly keyPath: string; readonly certPath: string } | undefined;
  /** The port to listen on; 0 (the default) for an ephemeral one. */
  readonly port?: number | undefined;
}

/** s3rver with `bucket` configured, on 127.0.0.1. */
export async function startS3rver(bucket: string, options: S3rverOptions = {}): Promise<S3rver> {
  const { tls, port = 0 } = options;
  const directory = await mkdtemp(join(tmpdir(), 'artemis-s3rver-'));
  const bin = join(packageDir('s3rver'), 'bin', 's3rver.js');
  // s3rver's continuation tokens use DES, which OpenSSL 3 only offers through its legacy provider.
  const emulator = await startChild(
    [
      '--openssl-legacy-provider',
      bin,
      '-d',
      directory,
      '-a',
      '127.0.0.1',
      '-p',
      String(port),
      '-s',
      '--configure-bucket',
      bucket,
      ...(tls ? ['--key', tls.keyPath, '--cert', tls.certPath] : []),
    ],
    /listening on ([\d.]+):(\d+)/,
    tls ? 'https' : 'http',
  );
  return {
    url: emulator.url,
    // s3rver's FilesystemStore layout: <dir>/<bucket>/<folders>/<name>._S3rver_object
    objectFile: (inBucket, key) => {
      const parts = key.split('/');
      const name = parts.pop() as string;
      return join(directory, inBucket, ...parts, `${name}._S3rver_object`);
    },
    stop: async () => {
      await emulator.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Azurite's well-known development account. */
export const AZURITE_ACCOUNT = {
  name: 'devstoreaccount1',
  key: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
} as const;

export async function startAzurite(): Promise<Emulator> {
  const main = join(packageDir('azurite'), 'dist', 'src', 'blob', 'main.js');
  const args = ['--blobHost', '127.0.0.1', '--blobPort', '0', '--inMemoryPersistence', '--disableTelemetry'];
  return startChild([main, ...args, '--skipApiVersionCheck', '--loose'], /listens on http:\/\/([\d.]+):(\d+)/);
}

async function startChild(args: string[], listening: RegExp, scheme = 'http'): Promise<Emulator> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = listening.exec(output);
      if (match) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(`${scheme}://${match[1]}:${match[2]}`);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}: ${output}`)));
  });
  return { url, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** A port free right now on 127.0.0.1, for a server whose URL must be known before it starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
