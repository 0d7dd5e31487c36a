import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';

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
