import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { freePort } from '../../packages/core/tests/storage/support/storage-emulators';
import { buildTarget, targets } from '../build';

/**
 * Shared pieces of `pnpm bench` (SPEC §11): every figure is a ratio of a subject to a floor measured in the same
 * run on the same machine, with the two interleaved so drift affects both alike.
 */

export interface BenchFigure {
  /** What is measured, e.g. "local server health req/s". */
  readonly name: string;
  readonly subject: number;
  readonly floor: number;
  readonly unit: string;
  /** "max" when the subject/floor ratio must stay at or below `goal` (times), "min" when at or above. */
  readonly direction: 'max' | 'min';
  readonly goal: number;
  readonly note?: string;
}

/** A bench module: scripts/bench/<area>.bench.ts exports `default` of this type. */
export type BenchModule = () => Promise<BenchFigure[]>;

export function ratioOf(figure: BenchFigure): number {
  return figure.subject / figure.floor;
}

export function passes(figure: BenchFigure): boolean {
  const ratio = ratioOf(figure);
  return figure.direction === 'max' ? ratio <= figure.goal : ratio >= figure.goal;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Runs `floor` and `subject` alternately `rounds` times and returns each one's samples. */
export async function interleave(
  rounds: number,
  floor: () => Promise<number>,
  subject: () => Promise<number>,
): Promise<{ floor: number[]; subject: number[] }> {
  const samples = { floor: [] as number[], subject: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    // Alternate which goes first, so neither always gets the warmer machine.
    if (i % 2 === 0) {
      samples.floor.push(await floor());
      samples.subject.push(await subject());
    } else {
      samples.subject.push(await subject());
      samples.floor.push(await floor());
    }
  }
  return samples;
}

/** Nanoseconds per call of `fn`, timed over `iterations` calls. */
export async function timePerCall(iterations: number, fn: () => unknown): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn();
  return Number(process.hrtime.bigint() - started) / iterations;
}

/**
 * Where `fn`'s time goes, for a figure that missed its goal: V8's sampling profiler (node:inspector) around
 * `iterations` calls, answered as the `top` functions by self time, e.g. "stringify (json-encoder.ts) 48%, …".
 */
export async function profileTop(iterations: number, fn: () => unknown, top = 6): Promise<string> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    for (let i = 0; i < iterations; i++) await fn();
    const { profile } = await session.post('Profiler.stop');
    const self = new Map<string, number>();
    const hits = new Map<number, number>();
    for (const id of profile.samples ?? []) hits.set(id, (hits.get(id) ?? 0) + 1);
    let total = 0;
    for (const node of profile.nodes) {
      const count = hits.get(node.id) ?? 0;
      total += count;
      const file = node.callFrame.url.split('/').pop() || 'native';
      const key = `${node.callFrame.functionName || '(anonymous)'} (${file})`;
      self.set(key, (self.get(key) ?? 0) + count);
    }
    return [...self]
      .filter(([key]) => !key.startsWith('(idle)') && !key.startsWith('(program)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, count]) => `${key} ${Math.round((100 * count) / Math.max(total, 1))}%`)
      .join(', ');
  } finally {
    session.disconnect();
  }
}

/** Peak resident set size of a process since it started (Linux VmHWM), in MB. */
export async function peakRssMb(child: ChildProcess): Promise<number> {
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
  if (!Number.isFinite(kb)) throw new Error('VmHWM not available (Linux only)');
  return kb / 1024;
}

/** Stops a child process (SIGTERM) and waits for its exit. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
}

/**
 * `node <args>` on a free port (its PORT), with only PATH and `env` in its environment; resolves once `GET /health`
 * gets any answer (the answer's body is not read: some of these servers answer every path with a large file).
 */
export async function startServerProcess(args: string[], env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    const ready = await new Promise<boolean>((resolve) => {
      const req = request(`${url}/health`, (res) => {
        res.destroy();
        resolve(true);
      });
      req.once('error', () => resolve(false));
      req.end();
    });
    if (ready) return { url, child };
    if (attempt > 100 || child.exitCode !== null) throw new Error(`server ${args.join(' ')} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One HTTP request (a JSON body when given); resolves the answer's body as text. */
export function httpText(url: string, method: string, body?: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, headers: body === undefined ? {} : { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
  });
}

/** Builds the generic target into dist/generic (as `pnpm build` does); answers the path of its entry. */
export async function buildGenericBundle(): Promise<string> {
  const generic = targets.find((target) => target.name === 'generic');
  if (!generic) throw new Error('no generic build target');
  await buildTarget(generic);
  return join(import.meta.dirname, '..', '..', 'dist', 'generic', 'index.mjs');
}
