import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { parseArgs } from 'node:util';
import { readBody } from '../../packages/core/src/runtime';

/** Options every local emulator takes: where to listen and which built bundle to run. */
export interface EmulatorOptions {
  readonly host: string;
  readonly port: number;
  readonly bundle: string;
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
}

const root = join(import.meta.dirname, '..', '..');

/** Larger than any platform accepts (Azure: 100 MB), so the platform's own limit is what a caller meets. */
const BODY_LIMIT_BYTES = 128 * 1024 * 1024;

/** The request body (read with the core's reader), or undefined after answering 413 for an oversized one. */
export async function readRequestBody(req: IncomingMessage, res: ServerResponse): Promise<Buffer | undefined> {
  const body = await readBody(req, BODY_LIMIT_BYTES);
  if (!body) {
    res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
    res.end(JSON.stringify({ message: 'Request body too large' }));
  }
  return body;
}

export function emulatorOptions(
  defaults: { port: number; bundle: string },
  extra: Record<string, { type: 'string' | 'boolean' }> = {},
): EmulatorOptions {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      bundle: { type: 'string' },
      // Handled by the bash wrapper (skip the build); accepted here so it can be passed through.
      'no-build': { type: 'boolean' },
      ...extra,
    },
  });
  const bundle = (values.bundle as string | undefined) ?? defaults.bundle;
  return {
    host: (values.host as string | undefined) ?? '127.0.0.1',
    port: Number((values.port as string | undefined) ?? process.env.PORT ?? defaults.port),
    bundle: isAbsolute(bundle) ? bundle : join(root, bundle),
    values,
  };
}

/** Listens, then prints the one line tools and tests wait for: `<name> listening on http://host:port`. */
export function listen(server: Server, options: EmulatorOptions, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const url = `http://${options.host}:${(server.address() as AddressInfo).port}`;
      process.stderr.write(`${name} listening on ${url}\n`);
      resolve(url);
    });
  });
}

/** Local defaults: no cloud needed (the agent stores on the filesystem unless told otherwise). */
export function localDefaults(env: Record<string, string>): void {
  for (const [name, value] of Object.entries({ MCD_STORAGE: 'FILESYSTEM', ...env })) process.env[name] ??= value;
}
