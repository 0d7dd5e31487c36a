/**
 * Cold starts for `pnpm bench` (SPEC §11): a new process until its first health answer, as each platform starts
 * one, and the bare processes they are compared with. Any node binary (the runtimes bench compares Node 22 and 24)
 * and any compile cache (NODE_COMPILE_CACHE) can be given.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { build } from 'esbuild';
import { freePort } from '../../packages/testkit/src/child-process';
import { LAZY_REQUIRE } from '../build';

const root = join(import.meta.dirname, '..', '..');
const MIB = 1024 * 1024;
const WARM_SCRIPT = join(root, 'scripts', 'warm-compile-cache.mjs');
export const HEALTH_JSON = JSON.stringify({
  platform: 'Generic',
  version: 'local',
  build: '0',
  env: {},
  trace_id: '1',
});

/** Cold starts run as deployed by default: no plugin module (the floors load none either). */
export const COLD_ENV = {
  PATH: process.env.PATH,
  MCD_STORAGE: 'FILESYSTEM',
  MCD_LOG_LEVEL: 'info',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

export interface ColdSample {
  readonly ms: number;
  readonly rssMiB: number;
}

/** How a target is started: a handler imported and called once (lambda, azure), or a server process. */
export type ColdKind = 'lambda' | 'azure' | 'server';

export interface Floors {
  /** Imports a handler bundle, answers one health call as its platform would, prints the status and RSS. */
  readonly runner: string;
  readonly lambda: string;
  readonly azure: string;
  readonly server: string;
}

/** One cold start of `bundle` (or a floor) with `node`, using the compile cache in `cache` when one is given. */
export function coldStart(node: string, kind: ColdKind, bundle: string, floors: Floors, cache?: string) {
  const env = { ...COLD_ENV, ...(cache ? { NODE_COMPILE_CACHE: cache } : {}) };
  return kind === 'server' ? coldServer(node, bundle, env) : coldInvoke(node, floors.runner, bundle, kind, env);
}

async function coldInvoke(
  node: string,
  runner: string,
  bundle: string,
  kind: 'lambda' | 'azure',
  env: Record<string, string | undefined>,
): Promise<ColdSample> {
  const started = process.hrtime.bigint();
  const child = spawn(node, [runner, bundle, kind], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  await new Promise((resolve) => child.once('close', resolve));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const printed = JSON.parse(stdout.slice(stdout.lastIndexOf('{"status"')) || '{}') as { status?: number; rss: number };
  if (printed.status !== 200) throw new Error(`${bundle} answered ${printed.status}: ${stderr}`);
  return { ms, rssMiB: printed.rss / MIB };
}

async function coldServer(node: string, bundle: string, env: Record<string, string | undefined>): Promise<ColdSample> {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const child = spawn(node, [bundle], {
    env: { ...env, PORT: String(port), MCD_LISTEN_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await waitForOutput(child, /listening on/);
    const status = await healthStatus(port);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (status !== 200) throw new Error(`${bundle} answered ${status}`);
    return { ms, rssMiB: rssOf(child.pid as number) / MIB };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

/** valgrind is installed: cold starts are also counted in instructions, which load on the machine does not change. */
export const HAS_CALLGRIND = spawnSync('valgrind', ['--version']).status === 0;
export const INSTRUCTIONS_NOTE =
  'valgrind --tool=callgrind, all threads, process start → first health answer → exit; load does not change it';
const counted = new Map<string, number>();

/**
 * The instructions one cold start executes (every thread, from process start to the first health answer and the
 * exit), under valgrind's callgrind. One run each: the count barely varies between runs.
 */
export function coldStartInstructions(
  node: string,
  kind: ColdKind,
  bundle: string,
  floors: Floors,
  cache?: string,
): number {
  const extraEnv = cache ? { NODE_COMPILE_CACHE: cache } : {};
  const key = JSON.stringify([node, kind, bundle, extraEnv]);
  const known = counted.get(key);
  if (known !== undefined) return known;
  const valgrind = ['--tool=callgrind', '--callgrind-out-file=/dev/null', node];
  let stderr: string;
  if (kind === 'server') {
    // The server under valgrind: a script starts it, waits for one health answer, then sends SIGTERM.
    const driver = `
      const { spawn } = require('node:child_process');
      const http = require('node:http');
      const child = spawn('valgrind', ${JSON.stringify([...valgrind, bundle])}, { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d) => { err += d; });
      child.stdout.on('data', (d) => {
        if (!String(d).includes('listening on')) return;
        http.get({ host: '127.0.0.1', port: Number(process.env.PORT), path: '/api/v1/test/health', agent: false }, (res) => {
          res.resume();
          res.on('end', () => child.kill('SIGTERM'));
        });
      });
      child.on('exit', () => process.stdout.write(err));`;
    const port = String(30_000 + Math.floor(Math.random() * 20_000));
    stderr = spawnSync(process.execPath, ['-e', driver], {
      env: { ...COLD_ENV, ...extraEnv, PORT: port, MCD_LISTEN_HOST: '127.0.0.1' },
      encoding: 'utf8',
    }).stdout;
  } else {
    stderr = spawnSync('valgrind', [...valgrind, floors.runner, bundle, kind], {
      env: { ...COLD_ENV, ...extraEnv },
      encoding: 'utf8',
    }).stderr;
  }
  const collected = /Collected : (\d+)/.exec(stderr)?.[1];
  if (!collected) throw new Error(`callgrind printed no count for ${bundle}: ${stderr.slice(-500)}`);
  counted.set(key, Number(collected));
  return Number(collected);
}

/**
 * Runs every variant once (warm-up: disk caches, and a first write of any compile cache a floor uses), then
 * `rounds` rounds of all of them, rotating which goes first so none always gets the warmer machine.
 */
export async function interleaveColdStarts<K extends string>(
  rounds: number,
  variants: Record<K, () => Promise<ColdSample>>,
): Promise<Record<K, ColdSample[]>> {
  const names = Object.keys(variants) as K[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as ColdSample[]])) as Record<K, ColdSample[]>;
  for (const name of names) await variants[name]();
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length] as K;
      samples[name].push(await variants[name]());
    }
  }
  return samples;
}

/** Warms `cache` for a built bundle exactly as the Dockerfile does (scripts/warm-compile-cache.mjs). */
export async function warmCompileCache(node: string, kind: ColdKind, bundle: string, cache: string): Promise<void> {
  const child = spawn(node, [WARM_SCRIPT, kind, bundle, '--cache', cache], {
    env: { ...COLD_ENV, MCD_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const code = await new Promise((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`warming ${bundle} failed: ${stderr}`);
}

/** The bare processes each cold start is compared with, written as files and bundled like ours. */
export async function writeFloors(dir: string): Promise<Floors> {
  const floors = join(dir, 'floors');
  await mkdir(floors, { recursive: true });
  const runner = join(floors, 'invoke-runner.mjs');
  await writeFile(
    runner,
    `const [bundle, kind] = process.argv.slice(2);
const m = await import(bundle);
let status;
if (kind === 'lambda') {
  const result = await m.handler({ version: '2.0', rawPath: '/api/v1/test/health', rawQueryString: 'trace_id=1',
    headers: {}, requestContext: { http: { method: 'GET' } }, isBase64Encoded: false });
  status = result.statusCode;
} else {
  const request = { method: 'GET', url: 'http://localhost/api/v1/test/health?trace_id=1', headers: [],
    arrayBuffer: async () => new ArrayBuffer(0) };
  const log = () => {};
  const context = { invocationId: '1', functionName: 'artemis', log, trace: log, debug: log, info: log, warn: log, error: log };
  status = (await m.handler(request, context)).status;
}
process.stdout.write(JSON.stringify({ status, rss: process.memoryUsage.rss() }));
`,
  );
  const lambda = join(floors, 'hello-lambda.mjs');
  await writeFile(
    lambda,
    `export const handler = async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: ${JSON.stringify(HEALTH_JSON)}, isBase64Encoded: false });\n`,
  );
  const azureSource = join(floors, 'hello-azure.mjs');
  await writeFile(
    azureSource,
    `import { app } from '@azure/functions';
export const handler = async () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(${JSON.stringify(HEALTH_JSON)}) });
app.http('hello', { route: '{*path}', authLevel: 'function', handler });
`,
  );
  const azure = join(floors, 'hello-azure-bundle.mjs');
  await build({
    entryPoints: [azureSource],
    outfile: azure,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    minify: true,
    mainFields: ['module', 'main'],
    external: ['@azure/functions-core'],
    nodePaths: [join(root, 'node_modules')],
    banner: { js: LAZY_REQUIRE },
    logLevel: 'warning',
  });
  const server = join(floors, 'bare-server.mjs');
  await writeFile(
    server,
    `import { createServer } from 'node:http';
const body = Buffer.from(${JSON.stringify(HEALTH_JSON)});
const server = createServer((req, res) => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }); res.end(body); });
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('listening on ' + server.address().port + '\\n'));
process.once('SIGTERM', () => process.exit(0));
`,
  );
  return { runner, lambda, azure, server };
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kib * 1024;
}

function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (pattern.test(out)) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before it was ready: ${out}`)));
  });
}

function healthStatus(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/v1/test/health?trace_id=1', agent: false }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end();
  });
}
