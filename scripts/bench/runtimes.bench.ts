/**
 * `pnpm bench runtimes` (opt-in): the same bundles on Node 22 and on Node 24 (both from scripts/use-node), for the
 * decision whether the Lambda and Cloud Run images move to Node 24. Each figure is Node 24's against Node 22's
 * (goal ≤ 1.0: 24 is at least as good), interleaved on the same machine:
 * - cold start to the first health answer, without and with a warm compile cache;
 * - the instructions that cold start executes (valgrind's callgrind, when installed): load on the machine changes
 *   times, not instruction counts;
 * - warm serving: health and a one-command operation per invoke (Lambda, Azure: a loop in one process) and per
 *   request over HTTP (Cloud Run, generic: autocannon from this process against a server on each runtime), in time
 *   and in the CPU time the process spent (which a busy machine's waiting does not inflate).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort } from '../../packages/testkit/src/child-process';
import { buildTarget, targets } from '../build';
import {
  COLD_ENV,
  type ColdKind,
  coldStart,
  coldStartInstructions,
  type Floors,
  HAS_CALLGRIND,
  INSTRUCTIONS_NOTE,
  interleaveColdStarts,
  warmCompileCache,
  writeFloors,
} from './cold-start';
import { type BenchFigure, type BenchModule, median } from './harness';

export const optIn = true;

const root = join(import.meta.dirname, '..', '..');
const COLD_ROUNDS = 21;
const WARM_ROUNDS = 5;
const FIXTURE_MODULE = join(root, 'packages/testkit/fixtures/fixture-connector.mjs');
const OPERATION = JSON.stringify({
  operation: { trace_id: 'bench', commands: [{ target: '_client', method: 'echo', args: [{ a: 1 }] }] },
});
const TARGETS: readonly { name: string; kind: ColdKind }[] = [
  { name: 'lambda', kind: 'lambda' },
  { name: 'cloudrun', kind: 'server' },
  { name: 'azure', kind: 'azure' },
  { name: 'generic', kind: 'server' },
];

interface Runtime {
  readonly label: string;
  readonly node: string;
}

/** A built bundle, how it is started, and the compile cache warmed for it on both runtimes. */
interface Subject {
  readonly target: string;
  readonly kind: ColdKind;
  readonly bundle: string;
  readonly floors: Floors;
  readonly cache: string;
}

export default (async () => {
  const runtimes = ['22', '24'].map((major) => ({ label: `Node ${major}`, node: nodeBinary(major) }));
  const [node22, node24] = runtimes as [Runtime, Runtime];
  const versions = runtimes.map((runtime) =>
    spawnSync(runtime.node, ['--version'], { encoding: 'utf8' }).stdout.trim(),
  );
  console.error(`  comparing ${versions.join(' and ')}`);
  const dir = await mkdtemp(join(tmpdir(), 'artemis-runtimes-'));
  try {
    for (const target of targets) await buildTarget(target, dir);
    const floors = await writeFloors(dir);
    const figures: BenchFigure[] = [];
    for (const { name, kind } of TARGETS) {
      const bundle = join(dir, name, 'index.mjs');
      const cache = join(dir, 'compile-cache', name);
      for (const runtime of runtimes) await warmCompileCache(runtime.node, kind, bundle, cache);
      const subject: Subject = { target: name, kind, bundle, floors, cache };
      figures.push(...(await coldFigures(subject, node22, node24, versions)));
      figures.push(...instructionFigures(subject, node22, node24));
    }
    for (const name of ['lambda', 'azure'] as const) {
      figures.push(...(await invokeFigures(name, join(dir, name, 'index.mjs'), dir, node22, node24)));
    }
    for (const name of ['cloudrun', 'generic']) {
      figures.push(...(await serverFigures(name, join(dir, name, 'index.mjs'), node22, node24)));
    }
    return figures;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}) satisfies BenchModule;

/** The node binary of `major`: the machine's when it is one, else the pinned download (scripts/use-node). */
function nodeBinary(major: string): string {
  const result = spawnSync(join(root, 'scripts', 'use-node'), [major], { encoding: 'utf8', stdio: 'pipe' });
  if (result.status !== 0) throw new Error(`scripts/use-node ${major} failed: ${result.stderr}`);
  return result.stdout.trim().split('\n').at(-1) as string;
}

function versus(name: string, subject: number, floor: number, unit: string, note: string): BenchFigure {
  return { name, subject, floor, unit, direction: 'max', goal: 1, note };
}

async function coldFigures(
  { target, kind, bundle, floors, cache }: Subject,
  node22: Runtime,
  node24: Runtime,
  versions: string[],
): Promise<BenchFigure[]> {
  const samples = await interleaveColdStarts(COLD_ROUNDS, {
    n22: () => coldStart(node22.node, kind, bundle, floors),
    n24: () => coldStart(node24.node, kind, bundle, floors),
    n22Cached: () => coldStart(node22.node, kind, bundle, floors, cache),
    n24Cached: () => coldStart(node24.node, kind, bundle, floors, cache),
  });
  const ms = (which: keyof typeof samples) => median(samples[which].map((sample) => sample.ms));
  const rss = (which: keyof typeof samples) => median(samples[which].map((sample) => sample.rssMiB));
  const rounds = `${versions.join(' vs ')}; ${COLD_ROUNDS} interleaved rounds, medians`;
  return [
    versus(`${target} cold start, no cache: Node 24 vs 22`, ms('n24'), ms('n22'), 'ms', rounds),
    versus(`${target} cold start, cache warm: Node 24 vs 22`, ms('n24Cached'), ms('n22Cached'), 'ms', rounds),
    versus(`${target} RSS after first answer: Node 24 vs 22`, rss('n24'), rss('n22'), 'MiB', 'no cache'),
  ];
}

/** Instructions of one cold start (process start → first health answer → exit) under callgrind, if installed. */
function instructionFigures(
  { target, kind, bundle, floors, cache }: Subject,
  node22: Runtime,
  node24: Runtime,
): BenchFigure[] {
  if (!HAS_CALLGRIND) return [];
  const count = (runtime: Runtime, cached: boolean) =>
    coldStartInstructions(runtime.node, kind, bundle, floors, cached ? cache : undefined);
  const note = INSTRUCTIONS_NOTE;
  const figures = [false, true].map((cached) =>
    versus(
      `${target} cold start instructions, ${cached ? 'cache warm' : 'no cache'}: Node 24 vs 22`,
      count(node24, cached) / 1e6,
      count(node22, cached) / 1e6,
      'M instr',
      note,
    ),
  );
  const gain = (runtime: Runtime) =>
    versus(
      `${target} cold start instructions on ${runtime.label}: cache warm vs no cache`,
      count(runtime, true) / 1e6,
      count(runtime, false) / 1e6,
      'M instr',
      note,
    );
  return [...figures, gain(node22), gain(node24)];
}

/** Per invoke, in µs: wall-clock and the CPU time of the whole process (all threads). */
interface WarmCost {
  readonly wall: number;
  readonly cpu: number;
}

/**
 * Warm invokes in one process per runtime: the handler called in a loop, health and a one-command operation. Besides
 * the time, each reports the process's CPU time per invoke, which waiting for a busy machine's cores does not add to.
 */
async function invokeFigures(
  target: 'lambda' | 'azure',
  bundle: string,
  dir: string,
  node22: Runtime,
  node24: Runtime,
): Promise<BenchFigure[]> {
  const runner = join(dir, 'warm-invoke-runner.mjs');
  await writeFile(runner, WARM_RUNNER);
  type Sample = Record<'health' | 'operation', WarmCost>;
  const run = (runtime: Runtime): Sample => {
    const result = spawnSync(runtime.node, [runner, bundle, target], {
      env: { ...COLD_ENV, MCD_LOG_LEVEL: 'silent', MCD_CONNECTOR_MODULES: FIXTURE_MODULE },
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`warm runner failed on ${runtime.label}: ${result.stderr}`);
    return JSON.parse(result.stdout) as Sample;
  };
  const samples = { n22: [] as Sample[], n24: [] as Sample[] };
  for (let round = 0; round < WARM_ROUNDS; round++) {
    const order = round % 2 === 0 ? (['n22', 'n24'] as const) : (['n24', 'n22'] as const);
    for (const which of order) samples[which].push(run(which === 'n22' ? node22 : node24));
  }
  const middle = (which: 'n22' | 'n24', field: 'health' | 'operation', cost: keyof WarmCost) =>
    median(samples[which].map((sample) => sample[field][cost]));
  const note = `${WARM_ROUNDS} interleaved processes, medians of each one's median of 20 batches of 500 after 3 000 warm-up invokes`;
  return (['health', 'operation'] as const).flatMap((field) => {
    const what = field === 'health' ? 'health' : 'one-command operation';
    return [
      versus(
        `${target} warm ${what} per invoke: Node 24 vs 22`,
        middle('n24', field, 'wall'),
        middle('n22', field, 'wall'),
        'µs',
        note,
      ),
      versus(
        `${target} warm ${what} CPU per invoke: Node 24 vs 22`,
        middle('n24', field, 'cpu'),
        middle('n22', field, 'cpu'),
        'µs',
        `process CPU time (all threads); ${note}`,
      ),
    ];
  });
}

/** Imports a handler bundle and times warm invokes: health, then a one-command operation (µs per invoke). */
const WARM_RUNNER = `const [bundle, kind] = process.argv.slice(2);
const { handler } = await import(bundle);
const operation = ${JSON.stringify(OPERATION)};
const log = () => {};
const context = { invocationId: '1', functionName: 'artemis', log, trace: log, debug: log, info: log, warn: log, error: log };
const call = kind === 'lambda'
  ? (method, path, body) => handler({ version: '2.0', rawPath: path, rawQueryString: 'trace_id=1', headers: { 'content-type': 'application/json' },
      requestContext: { http: { method } }, isBase64Encoded: false, ...(body ? { body } : {}) }, {})
  : (method, path, body) => handler({ method, url: 'http://localhost' + path + '?trace_id=1', headers: [['content-type', 'application/json']],
      arrayBuffer: async () => new TextEncoder().encode(body ?? '').buffer }, context);
const middle = (values) => values.sort((a, b) => a - b)[values.length >> 1];
async function time(method, path, body) {
  for (let i = 0; i < 3000; i++) await call(method, path, body);
  const wall = [];
  const cpu = [];
  for (let b = 0; b < 20; b++) {
    const started = process.hrtime.bigint();
    const used = process.cpuUsage();
    for (let i = 0; i < 500; i++) await call(method, path, body);
    const spent = process.cpuUsage(used);
    wall.push(Number(process.hrtime.bigint() - started) / 500 / 1000);
    cpu.push((spent.user + spent.system) / 500);
  }
  return { wall: middle(wall), cpu: middle(cpu) };
}
const health = await time('GET', '/api/v1/test/health');
const op = await time('POST', '/api/v1/agent/execute/fixture/echo', operation);
process.stdout.write(JSON.stringify({ health, operation: op }));
process.exit(0);
`;

/**
 * The server bundle on each runtime, autocannon from here (the same client for both), interleaved: requests/s, and
 * the server process's CPU time per request (from /proc), which waiting for a busy machine's cores does not add to.
 */
async function serverFigures(target: string, bundle: string, node22: Runtime, node24: Runtime): Promise<BenchFigure[]> {
  const servers = await Promise.all([startServer(node22.node, bundle), startServer(node24.node, bundle)]);
  const [on22, on24] = servers;
  try {
    const figures: BenchFigure[] = [];
    for (const workload of ['health', 'operation'] as const) {
      const what = workload === 'health' ? 'health' : 'one-command operation';
      const measure = async (server: { child: ChildProcess; port: number }) => {
        const before = cpuSecondsOf(server.child.pid as number);
        const result = await autocannon({
          url: `http://127.0.0.1:${server.port}${workload === 'health' ? '/api/v1/test/health' : '/api/v1/agent/execute/fixture/echo'}`,
          method: workload === 'health' ? 'GET' : 'POST',
          headers: { 'content-type': 'application/json' },
          ...(workload === 'health' ? {} : { body: OPERATION }),
          connections: 50,
          amount: REQUESTS,
        });
        const cpu = ((cpuSecondsOf(server.child.pid as number) - before) * 1e6) / result.requests.total;
        return { rate: result.requests.average, cpu };
      };
      await measure(on22);
      await measure(on24);
      const samples = { n22: [] as { rate: number; cpu: number }[], n24: [] as { rate: number; cpu: number }[] };
      for (let round = 0; round < WARM_ROUNDS; round++) {
        const order = round % 2 === 0 ? (['n22', 'n24'] as const) : (['n24', 'n22'] as const);
        for (const which of order) samples[which].push(await measure(which === 'n22' ? on22 : on24));
      }
      const middle = (which: 'n22' | 'n24', field: 'rate' | 'cpu') =>
        median(samples[which].map((sample) => sample[field]));
      const note = `autocannon -c 50, ${REQUESTS} requests; ${WARM_ROUNDS} interleaved rounds, medians`;
      figures.push(
        {
          name: `${target} ${what} req/s over HTTP: Node 24 vs 22`,
          subject: middle('n24', 'rate'),
          floor: middle('n22', 'rate'),
          unit: 'req/s',
          direction: 'min',
          goal: 1,
          note,
        },
        versus(
          `${target} ${what} server CPU per request: Node 24 vs 22`,
          middle('n24', 'cpu'),
          middle('n22', 'cpu'),
          'µs',
          `utime + stime of the server process; ${note}`,
        ),
      );
    }
    return figures;
  } finally {
    for (const server of servers) server.child.kill('SIGTERM');
  }
}

const REQUESTS = 20_000;
/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

/** CPU seconds (user + system, all threads) a live process has used so far. */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // After "pid (comm) ": state is field 3, so utime (14) and stime (15) are at 11 and 12.
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

async function startServer(node: string, bundle: string): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(node, [bundle], {
    env: {
      ...COLD_ENV,
      PORT: String(port),
      MCD_LISTEN_HOST: '127.0.0.1',
      MCD_LOG_LEVEL: 'warn',
      MCD_CONNECTOR_MODULES: FIXTURE_MODULE,
    },
    stdio: 'ignore',
  });
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}/api/v1/test/health`);
      return { child, port };
    } catch {
      if (child.exitCode !== null) throw new Error(`${bundle} exited with ${child.exitCode}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
