#!/usr/bin/env node
/**
 * Warms Node's compile cache (V8 code cache, `NODE_COMPILE_CACHE`) for a built bundle, at image build time and in
 * `pnpm bench`. Plain JavaScript without dependencies: it runs inside the runtime images, where only the bundle is.
 *
 *   node warm-compile-cache.mjs <lambda|azure|server> <bundle/index.mjs> --cache <dir> [options]
 *     --cache <dir>              the folder the runtime's NODE_COMPILE_CACHE will name (default: NODE_COMPILE_CACHE)
 *     --users 993:990,0:0        run as these uid:gid (when root); Node keys its cache folder by the user id
 *     --lambda-bootstrap <file>  start through Lambda's bootstrap, so the V8 flags are the runtime's own
 *     --memory-sizes 1024,2048   ... for these memory sizes in MiB (the heap flag, so the cache key, depends on it):
 *                                Lambda's AWS_LAMBDA_FUNCTION_MEMORY_SIZE; a server's container limit (ARTEMIS_MEMORY_MIB
 *                                for the exec wrapper), and once more without a limit
 *     --exec-wrapper <file>      the command the image starts node through (scripts/image/node-with-heap), which adds
 *                                the heap flag: the warm-up starts node through it too
 *     --read-only                finally hand the cache to root, read-only (what the images ship)
 *
 * Each run starts the bundle as its platform does and answers one health check (lambda: the handler with an HTTP
 * API event; azure: the exported handler; server: the process on a free port, then SIGTERM), then imports every
 * other chunk of the bundle, so connectors and routes loaded on first use find their code cached too.
 *
 * Node accepts a cache entry only when the Node build, the V8 flags, the user id and the file's path and content
 * are the same as when it was written (it names the cache folder `<version>-<arch>-<v8 flags hash>-<uid>`);
 * anything else, or a cache folder it cannot write, makes it compile as if there were no cache, silently.
 * So the warm-up runs where the image runs: same binary, same path, same flags, same user.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const SELF = fileURLToPath(import.meta.url);
const HEALTH_PATH = '/api/v1/test/health';

const [mode, ...rest] = process.argv.slice(2);
if (mode === '--invoke') await invoke(rest[0], rest[1]);
else if (mode === '--import-chunks') await importChunks(rest[0]);
else if (mode === '--wrapped') await wrapped(rest);
else await main(mode, rest);

async function main(kind, args) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      cache: { type: 'string' },
      users: { type: 'string' },
      'lambda-bootstrap': { type: 'string' },
      'memory-sizes': { type: 'string' },
      'exec-wrapper': { type: 'string' },
      'read-only': { type: 'boolean' },
    },
  });
  const bundle = positionals[0];
  const cache = values.cache ?? process.env.NODE_COMPILE_CACHE;
  if (!['lambda', 'azure', 'server'].includes(kind) || !bundle || !cache) {
    fail('usage: warm-compile-cache.mjs <lambda|azure|server> <bundle> --cache <dir> [options]');
  }
  const users = parseUsers(values.users);
  const memorySizes = (values['memory-sizes'] ?? '').split(',').filter(Boolean);
  mkdirSync(cache, { recursive: true });
  // Every user below writes its own `…-<uid>` folder in here.
  if (users.length > 0) chmodSync(cache, 0o1777);
  const scratch = mkdtempSync(join(tmpdir(), 'artemis-warm-'));
  chmodSync(scratch, 0o1777);
  try {
    for (const user of users.length > 0 ? users : [undefined]) {
      // Only the bundle's processes get the cache: this script's own processes are no business of the image's.
      const env = {
        ...process.env,
        NODE_COMPILE_CACHE: cache,
        MCD_STORAGE: 'FILESYSTEM',
        MCD_STORAGE_PATH: join(scratch, `storage-${user?.uid ?? 'self'}`),
        MCD_LOG_LEVEL: 'error',
      };
      const wrapper = values['exec-wrapper'];
      if (kind === 'server') {
        // Without a memory figure (no container limit) the wrapper adds no flag; with one, the flag of that size.
        for (const memory of wrapper ? [undefined, ...memorySizes] : [undefined]) {
          await warmServer(bundle, memory ? { ...env, ARTEMIS_MEMORY_MIB: memory } : env, user, wrapper);
        }
      } else if (values['lambda-bootstrap'] && existsSync(values['lambda-bootstrap'])) {
        for (const memory of memorySizes.length > 0 ? memorySizes : ['1024']) {
          await throughBootstrap(
            values['lambda-bootstrap'],
            bundle,
            scratch,
            {
              ...env,
              AWS_LAMBDA_FUNCTION_MEMORY_SIZE: memory,
              ...(wrapper ? { ARTEMIS_WARM_EXEC_WRAPPER: wrapper } : {}),
            },
            user,
          );
        }
      } else {
        if (values['lambda-bootstrap']) {
          process.stderr.write(
            `warm-compile-cache: WARNING: no ${values['lambda-bootstrap']}: warming without Lambda's node flags, which the runtime will not match\n`,
          );
        }
        await run(process.execPath, [SELF, '--invoke', kind, bundle], env, user);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (values['read-only']) handToRoot(cache);
  process.stderr.write(`warm-compile-cache: ${kind} ${bundle} cached in ${cache}\n`);
}

/** `993:990,0:0` → [{ uid: 993, gid: 990 }, { uid: 0, gid: 0 }]; users are switched only when running as root. */
function parseUsers(text) {
  if (!text || process.getuid?.() !== 0) return [];
  return text.split(',').map((pair) => {
    const [uid, gid = uid] = pair.split(':').map(Number);
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) fail(`--users: expected uid:gid pairs, got ${text}`);
    return { uid, gid };
  });
}

/** The image's server process (Cloud Run, generic) on a free port: one health answer, then SIGTERM and its drain. */
async function warmServer(bundle, env, user, wrapper) {
  const port = await freePort();
  // As the image's CMD starts it: `node-with-heap index.mjs` ends in `exec node [heap flag] index.mjs`.
  const [command, prefix] = wrapper ? [wrapper, [process.execPath]] : [process.execPath, []];
  const serverEnv = { ...env, PORT: String(port), MCD_LISTEN_HOST: '127.0.0.1' };
  const child = spawnAs(command, [...prefix, bundle], serverEnv, user);
  const exited = exitOf(child);
  let status = 0;
  while (status !== 200) {
    const outcome = await Promise.race([healthStatus(port), exited.then((code) => ({ exited: code }))]);
    if (typeof outcome === 'object') fail(`${bundle} exited with ${outcome.exited} before answering a health check`);
    status = outcome;
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGTERM');
  // Node writes the compile cache as the process exits; the graceful shutdown exits 0.
  const code = await exited;
  if (code !== 0) fail(`${bundle} exited with ${code} after SIGTERM`);
  await run(command, [...prefix, SELF, '--import-chunks', dirname(bundle)], env, user);
}

/**
 * Lambda's bootstrap computes the node flags from the function's memory size and honours AWS_LAMBDA_EXEC_WRAPPER
 * (`wrapper /var/lang/bin/node <flags> /var/runtime/index.mjs`): a wrapper that runs this script's invoke with
 * exactly those flags warms the cache the runtime will look for.
 */
async function throughBootstrap(bootstrap, bundle, scratch, env, user) {
  const wrapper = join(scratch, 'exec-wrapper');
  writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${SELF}" --wrapped "${bundle}" "$@"\n`, {
    mode: 0o755,
  });
  const { NODE_COMPILE_CACHE, ...rest } = env;
  await run(bootstrap, [], { ...rest, AWS_LAMBDA_EXEC_WRAPPER: wrapper, ARTEMIS_WARM_CACHE: NODE_COMPILE_CACHE }, user);
}

/** As AWS_LAMBDA_EXEC_WRAPPER: `--wrapped <bundle> <node> <flags…> <runtime entry>` → the invoke, same node and flags. */
async function wrapped([bundle, node, ...argv]) {
  const { ARTEMIS_WARM_EXEC_WRAPPER: wrapper, ...rest } = process.env;
  const env = { ...rest, NODE_COMPILE_CACHE: process.env.ARTEMIS_WARM_CACHE };
  const invoke = [...argv.slice(0, -1), SELF, '--invoke', 'lambda', bundle];
  // The image's own AWS_LAMBDA_EXEC_WRAPPER (node-with-heap) rewrites the heap flag: it runs here as it will there.
  if (wrapper) await run(wrapper, [node, ...invoke], env);
  else await run(node, invoke, env);
}

/**
 * In the child: import the bundle, answer one health call as the platform would make it, import the other chunks,
 * exit (Node writes the cache on the way out).
 */
async function invoke(kind, bundle) {
  const module = await import(pathToFileURL(bundle).href);
  let status;
  if (kind === 'lambda') {
    const event = {
      version: '2.0',
      rawPath: HEALTH_PATH,
      rawQueryString: 'trace_id=warm',
      headers: {},
      requestContext: { http: { method: 'GET' } },
      isBase64Encoded: false,
    };
    status = (await module.handler(event, {})).statusCode;
  } else {
    const log = () => {};
    const context = {
      invocationId: 'warm',
      functionName: 'artemis',
      log,
      trace: log,
      debug: log,
      info: log,
      warn: log,
      error: log,
    };
    const request = {
      method: 'GET',
      url: `http://localhost${HEALTH_PATH}?trace_id=warm`,
      headers: [],
      arrayBuffer: async () => new ArrayBuffer(0),
    };
    status = (await module.handler(request, context)).status;
  }
  if (status !== 200) fail(`${bundle} answered the health check with ${status}`);
  await importChunks(dirname(bundle));
}

/** Imports every chunk, so its code is compiled (and cached) now rather than on first use. */
async function importChunks(dir) {
  const chunks = join(dir, 'chunks');
  const failed = [];
  for (const file of readdirSync(chunks).filter((name) => name.endsWith('.mjs'))) {
    try {
      await import(pathToFileURL(join(chunks, file)).href);
    } catch (error) {
      failed.push(`${file}: ${error.message}`);
    }
  }
  // A chunk that cannot even be imported on its own is worth knowing about, but it is no reason to fail a build.
  for (const line of failed) process.stderr.write(`warm-compile-cache: not cached: ${line}\n`);
  process.exit(0);
}

function spawnAs(command, args, env, user) {
  return spawn(command, args, {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  });
}

async function run(command, args, env, user) {
  const code = await exitOf(spawnAs(command, args, env, user));
  if (code !== 0) fail(`${command} ${args.join(' ')} exited with ${code}`);
}

function exitOf(child) {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? signal));
  });
}

function healthStatus(port) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: `${HEALTH_PATH}?trace_id=warm` }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', () => resolve(0));
    req.end();
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Root-owned and read-only: the running agent reads the cache and never rewrites it. */
function handToRoot(path) {
  const stat = lstatSync(path);
  if (stat.isDirectory()) for (const name of readdirSync(path)) handToRoot(join(path, name));
  if (process.getuid?.() === 0) chownSync(path, 0, 0);
  chmodSync(path, stat.isDirectory() ? 0o555 : 0o444);
}

function fail(message) {
  process.stderr.write(`warm-compile-cache: ${message}\n`);
  process.exit(1);
}
