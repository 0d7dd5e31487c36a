/**
 * `pnpm bench adapters` (SPEC §11, perf-anchors G1-G6, G10): per runtime target, from the BUILT bundles,
 * - bundle size: the entry chunk, the static closure a health check loads, and the whole bundle (KiB);
 * - cold start: a new process until the first health answer, against a bare node process answering the same
 *   request (Lambda: a hello-world handler module called once; Azure: a hello-world `app.http` bundle called once;
 *   Cloud Run and generic: a bare node:http server returning the same JSON);
 * - resident memory after that first answer, against the same floors;
 * - warm per-invoke cost of health and a one-command operation through the adapter, against calling the core's
 *   `handle()` directly with the equivalent plain request and encoding its body (what any caller must do).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, Agent as HttpAgent, request as httpRequest, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpRequest as AzureHttpRequest } from '@azure/functions';
import { build, type Metafile } from 'esbuild';
import { createAzureHandler } from '../../packages/azure/src/azure-handler';
import { withCloudTrace } from '../../packages/cloudrun/src/traced-agent';
import {
  type AgentRequest,
  createAgent,
  createLocalServer,
  encodeJson,
  loadConfig,
} from '../../packages/core/src/index';
import { createLambdaHandler } from '../../packages/lambda/src/handler';
import { CORE_PAYLOAD_LIMIT_BYTES } from '../../packages/lambda/src/payload-limit';
import { azureLibraryBytes, staticClosure } from '../../packages/testkit/src/bundle-closure';
import { freePort } from '../../packages/testkit/src/child-process';
import { buildTarget, targets } from '../build';
import { type BenchFigure, type BenchModule, interleave, median, timePerCall } from './harness';

const root = join(import.meta.dirname, '..', '..');
const KIB = 1024;
const MIB = 1024 * 1024;
const COLD_ROUNDS = 15;
/*
 * Warm figures compare the fastest round of each side: on a shared machine interference only ever adds time, so
 * the minimum of interleaved rounds is the steadiest estimate of what the adapter itself costs (medians in the note).
 */
const WARM_ROUNDS = 15;
const FIXTURE_MODULE = join(root, 'packages/testkit/fixtures/fixture-connector.mjs');
/** Cold starts run as deployed by default: no plugin module (the floors load none either). */
const ENV = {
  PATH: process.env.PATH,
  MCD_STORAGE: 'FILESYSTEM',
  MCD_LOG_LEVEL: 'info',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
// A webpack-built CommonJS module whose named exports Node's ESM loader cannot see: load it with require.
const { HttpRequest, InvocationContext } = createRequire(import.meta.url)(
  '@azure/functions',
) as typeof import('@azure/functions');
const HEALTH_JSON = JSON.stringify({ platform: 'Generic', version: 'local', build: '0', env: {}, trace_id: '1' });

export default (async () => {
  const dir = await mkdtemp(join(tmpdir(), 'artemis-bench-'));
  try {
    const metafiles: Record<string, Metafile> = {};
    for (const target of targets) metafiles[target.name] = await buildTarget(target, dir);
    const floors = await writeFloors(dir);
    const figures: BenchFigure[] = [];
    for (const target of ['lambda', 'cloudrun', 'azure', 'generic']) {
      figures.push(...(await sizeFigures(target, metafiles[target] as Metafile)));
    }
    figures.push(...coldInvoke('lambda', join(dir, 'lambda/index.mjs'), floors.lambda, floors.runner));
    figures.push(...coldInvoke('azure', join(dir, 'azure/index.mjs'), floors.azure, floors.runner));
    figures.push(...(await coldServer('cloudrun', join(dir, 'cloudrun/index.mjs'), floors.server)));
    figures.push(...(await coldServer('generic', join(dir, 'generic/index.mjs'), floors.server)));
    figures.push(...(await warmFigures()));
    return figures;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}) satisfies BenchModule;

// ---- sizes ---------------------------------------------------------------------------------------------------------

async function sizeFigures(target: string, metafile: Metafile): Promise<BenchFigure[]> {
  const entry = Object.entries(metafile.outputs).find(
    ([path, output]) => output.entryPoint && path.endsWith(`${target}/index.mjs`),
  );
  if (!entry) throw new Error(`no entry output for ${target}`);
  const [entryPath, entryOutput] = entry;
  const closure = staticClosure(metafile, entryOutput.entryPoint as string);
  let total = 0;
  for (const path of Object.keys(metafile.outputs))
    if (path.endsWith('.mjs')) total += (await stat(join(root, path))).size;
  const azureNote =
    target === 'azure' ? ', excluding @azure/functions and its dependencies (the platform library)' : '';
  return [
    {
      name: `${target} entry chunk (KiB vs 64 KiB budget)`,
      subject: (entryOutput.bytes - azureLibraryBytes(metafile, [entryPath])) / KIB,
      floor: 64,
      unit: 'KiB',
      direction: 'max',
      goal: 1,
      note: `whole bundle ${(total / KIB).toFixed(1)} KiB in ${Object.keys(metafile.outputs).filter((p) => p.endsWith('.mjs')).length} files${azureNote}`,
    },
    {
      name: `${target} static closure of a health check (KiB vs 64 KiB)`,
      subject: (closure.bytes - azureLibraryBytes(metafile, closure.outputs)) / KIB,
      floor: 64,
      unit: 'KiB',
      direction: 'max',
      goal: 1,
      note: `${closure.outputs.length} chunks loaded before the first answer${azureNote}`,
    },
  ];
}

// ---- floors --------------------------------------------------------------------------------------------------------

interface Floors {
  readonly runner: string;
  readonly lambda: string;
  readonly azure: string;
  readonly server: string;
}

/** The bare processes each figure is compared with, written as files and bundled like ours. */
async function writeFloors(dir: string): Promise<Floors> {
  const floors = join(dir, 'floors');
  await mkdir(floors, { recursive: true });
  const runner = join(floors, 'invoke-runner.mjs');
  // Imports a bundle, answers one health call as its platform would make it, prints the status and RSS.
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
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
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

// ---- cold start and memory -----------------------------------------------------------------------------------------

interface ColdSample {
  readonly ms: number;
  readonly rssMiB: number;
}

function coldInvoke(target: string, bundle: string, floorBundle: string, runner: string): BenchFigure[] {
  const kind = target === 'lambda' ? 'lambda' : 'azure';
  const run = (path: string): ColdSample => {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [runner, path, kind], { env: ENV, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const printed = JSON.parse(result.stdout.slice(result.stdout.lastIndexOf('{"status"'))) as {
      status: number;
      rss: number;
    };
    if (printed.status !== 200) throw new Error(`${path} answered ${printed.status}: ${result.stderr}`);
    return { ms, rssMiB: printed.rss / MIB };
  };
  run(bundle);
  run(floorBundle);
  const floor: ColdSample[] = [];
  const subject: ColdSample[] = [];
  for (let i = 0; i < COLD_ROUNDS; i++) {
    if (i % 2 === 0) {
      floor.push(run(floorBundle));
      subject.push(run(bundle));
    } else {
      subject.push(run(bundle));
      floor.push(run(floorBundle));
    }
  }
  return coldFigures(
    target,
    floor,
    subject,
    target === 'lambda' ? 'hello-world handler bundle' : 'hello-world app.http bundle',
  );
}

async function coldServer(target: string, bundle: string, floorServer: string): Promise<BenchFigure[]> {
  const run = async (path: string): Promise<ColdSample> => {
    const port = await freePort();
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [path], {
      env: { ...ENV, PORT: String(port), MCD_LISTEN_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await waitForOutput(child, /listening on/);
      const status = await get(port, '/api/v1/test/health?trace_id=1');
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (status !== 200) throw new Error(`${path} answered ${status}`);
      return { ms, rssMiB: rssOf(child.pid as number) / MIB };
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  };
  await run(bundle);
  await run(floorServer);
  const samples = { floor: [] as ColdSample[], subject: [] as ColdSample[] };
  for (let i = 0; i < COLD_ROUNDS; i++) {
    const order = i % 2 === 0 ? (['floor', 'subject'] as const) : (['subject', 'floor'] as const);
    for (const which of order) samples[which].push(await run(which === 'floor' ? floorServer : bundle));
  }
  return coldFigures(target, samples.floor, samples.subject, 'bare node:http serving the same JSON');
}

function coldFigures(target: string, floor: ColdSample[], subject: ColdSample[], floorName: string): BenchFigure[] {
  return [
    {
      name: `${target} cold start to first health answer`,
      subject: median(subject.map((s) => s.ms)),
      floor: median(floor.map((s) => s.ms)),
      unit: 'ms',
      direction: 'max',
      goal: 1.5,
      note: `floor: ${floorName}; ${COLD_ROUNDS} interleaved rounds, medians`,
    },
    {
      name: `${target} RSS after first health answer`,
      subject: median(subject.map((s) => s.rssMiB)),
      floor: median(floor.map((s) => s.rssMiB)),
      unit: 'MiB',
      direction: 'max',
      goal: 1.3,
      note: `floor: ${floorName}`,
    },
  ];
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kib * KIB;
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

function get(port: number, path: string, agent?: HttpAgent, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent, headers }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end();
  });
}

function post(port: number, path: string, body: Buffer, agent: HttpAgent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        agent,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

// ---- warm per-invoke overhead --------------------------------------------------------------------------------------

const OPERATION = Buffer.from(
  JSON.stringify({
    operation: { trace_id: 'bench', commands: [{ target: '_client', method: 'echo', args: [{ a: 1 }] }] },
  }),
);

async function warmFigures(): Promise<BenchFigure[]> {
  const config = loadConfig({ ...ENV, MCD_LOG_LEVEL: 'silent', MCD_CONNECTOR_MODULES: FIXTURE_MODULE } as Record<
    string,
    string
  >);
  const agent = createAgent({
    config,
    platform: 'AWS',
    defaultStorage: 'S3',
    responsePayloadLimitBytes: CORE_PAYLOAD_LIMIT_BYTES,
  });
  await agent.ready();
  const health: AgentRequest = {
    method: 'GET',
    path: '/api/v1/test/health',
    query: { trace_id: '1' },
    headers: {},
    body: Buffer.alloc(0),
  };
  const operation: AgentRequest = {
    method: 'POST',
    path: '/api/v1/agent/execute/fixture/echo',
    query: {},
    headers: { 'content-type': 'application/json' },
    body: OPERATION,
  };
  // The floor: the core called directly, its JSON body encoded (bytes bodies are already encoded).
  const direct = async (request: AgentRequest) => {
    const response = await agent.handle(request);
    return Buffer.isBuffer(response.body) ? response.body : encodeJson(response.body);
  };
  const figures: BenchFigure[] = [];

  const lambda = createLambdaHandler(agent);
  const v2 = (request: AgentRequest, body?: Buffer) => ({
    version: '2.0',
    rawPath: request.path,
    rawQueryString: new URLSearchParams(request.query as Record<string, string>).toString(),
    headers: request.headers,
    requestContext: { http: { method: request.method } },
    ...(body ? { body: body.toString('utf8'), isBase64Encoded: false } : { isBase64Encoded: false }),
  });
  const healthEvent = v2(health);
  const operationEvent = v2(operation, OPERATION);
  figures.push(
    await warm(
      'lambda',
      'health',
      20_000,
      () => direct(health),
      () => lambda(healthEvent),
    ),
  );
  figures.push(
    await warm(
      'lambda',
      'one-command operation',
      5_000,
      () => direct(operation),
      () => lambda(operationEvent),
    ),
  );

  // Azure: the host builds the HttpRequest (undici-backed) before the handler runs, so they are made outside the timing.
  const azure = createAzureHandler(agent);
  const context = new InvocationContext({ invocationId: 'bench', functionName: 'artemis', logHandler: () => {} });
  const requests = (count: number, make: () => AzureHttpRequest) => Array.from({ length: count }, make);
  const azureWarm = async (name: string, iterations: number, request: AgentRequest, make: () => AzureHttpRequest) => {
    let pending: AzureHttpRequest[] = [];
    const samples = await interleave(
      WARM_ROUNDS,
      () => timePerCall(iterations, () => direct(request)),
      async () => {
        pending = requests(iterations, make);
        let i = 0;
        return timePerCall(iterations, () => azure(pending[i++] as AzureHttpRequest, context));
      },
    );
    return warmFigure('azure', name, samples);
  };
  const url = 'http://localhost:7071';
  figures.push(
    await azureWarm(
      'health',
      5_000,
      health,
      () => new HttpRequest({ method: 'GET', url: `${url}/api/v1/test/health?trace_id=1` }),
    ),
  );
  figures.push(
    await azureWarm(
      'one-command operation',
      3_000,
      operation,
      () =>
        new HttpRequest({
          method: 'POST',
          url: `${url}/api/v1/agent/execute/fixture/echo`,
          headers: { 'content-type': 'application/json' },
          body: { bytes: OPERATION },
        }),
    ),
  );

  // Cloud Run: requests over keep-alive HTTP to the adapter's server, against the thinnest node:http server that
  // calls the core directly. Same client, same socket handling: the difference is the adapter.
  const bare = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const response = await agent.handle({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers as Record<string, string>,
      body: Buffer.concat(chunks),
    });
    const body = Buffer.isBuffer(response.body) ? response.body : Buffer.from(encodeJson(response.body));
    res.writeHead(response.status, {
      ...response.headers,
      'content-type': 'application/json',
      'content-length': body.length,
    });
    res.end(body);
  });
  const cloudRun = createLocalServer(withCloudTrace(agent, 'bench-project'));
  const [barePort, cloudRunPort] = [await listenOn(bare), await listenOn(cloudRun)];
  const keepAlive = new HttpAgent({ keepAlive: true, maxSockets: 1 });
  const trace = { 'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/1;o=1' };
  try {
    figures.push(
      await warm(
        'cloudrun',
        'health over HTTP',
        1_000,
        () => get(barePort, '/api/v1/test/health?trace_id=1', keepAlive, trace),
        () => get(cloudRunPort, '/api/v1/test/health?trace_id=1', keepAlive, trace),
      ),
    );
    figures.push(
      await warm(
        'cloudrun',
        'one-command operation over HTTP',
        1_000,
        () => post(barePort, '/api/v1/agent/execute/fixture/echo', OPERATION, keepAlive),
        () => post(cloudRunPort, '/api/v1/agent/execute/fixture/echo', OPERATION, keepAlive),
      ),
    );
  } finally {
    keepAlive.destroy();
    bare.close();
    cloudRun.close();
    await agent.close();
  }
  return figures;
}

async function warm(
  target: string,
  name: string,
  iterations: number,
  floor: () => unknown,
  subject: () => unknown,
): Promise<BenchFigure> {
  // Warm-up: JIT and the lazily loaded route modules.
  await timePerCall(Math.min(iterations, 2_000), floor);
  await timePerCall(Math.min(iterations, 2_000), subject);
  const samples = await interleave(
    WARM_ROUNDS,
    () => timePerCall(iterations, floor),
    () => timePerCall(iterations, subject),
  );
  return warmFigure(target, name, samples);
}

function warmFigure(target: string, name: string, samples: { floor: number[]; subject: number[] }): BenchFigure {
  const subject = Math.min(...samples.subject) / 1000;
  const floor = Math.min(...samples.floor) / 1000;
  const medians = `${(median(samples.subject) / 1000).toFixed(2)} vs ${(median(samples.floor) / 1000).toFixed(2)} µs`;
  return {
    name: `${target} warm ${name}`,
    subject,
    floor,
    unit: 'µs',
    direction: 'max',
    goal: 1.1,
    note: `adapter adds ${(subject - floor).toFixed(2)} µs (best of ${WARM_ROUNDS} interleaved rounds; medians ${medians})`,
  };
}

function listenOn(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}
