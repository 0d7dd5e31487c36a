import { getHeapStatistics } from 'node:v8';
import { ResourceExhaustedError } from '../errors/agent-errors';
import type { MemoryBudget } from './memory-budget';

export interface HeapUsage {
  readonly usedBytes: number;
  readonly limitBytes: number;
}

/** Where the heap figures come from: V8 in production, a fake in tests that must not depend on real memory. */
export type HeapReader = () => HeapUsage;

const MiB = 1024 * 1024;

/**
 * The most V8 reserves for the young generation (two semi-spaces and the new large-object space): 48 MiB on Node 22,
 * 192 MiB on Node 24, whatever the old generation's size.
 */
const YOUNG_GENERATION_RESERVE = 192 * MiB;

/**
 * The limit that matters: the old generation's. V8 dies when the old generation passes `--max-old-space-size`, but
 * `heap_size_limit` also counts the young generation's reserve, so a fraction of it can lie above the old
 * generation's limit (Node 24, 256 MiB old space: a 448 MiB heap limit, 85% of it 380 MiB). The flag as given (on the
 * command line or in NODE_OPTIONS, the last one wins, as in node) is the limit; without one, V8 chose it, and the
 * heap limit less the largest young reserve stands for it.
 */
export function oldGenerationLimit(
  heapSizeLimit: number,
  argv: readonly string[] = process.execArgv,
  nodeOptions: string | undefined = process.env.NODE_OPTIONS,
): number {
  let flagMiB: number | undefined;
  for (const argument of [...(nodeOptions?.split(/\s+/) ?? []), ...argv]) {
    const match = /^--max[-_]old[-_]space[-_]size=(\d+)$/.exec(argument);
    if (match?.[1]) flagMiB = Number(match[1]);
  }
  if (flagMiB !== undefined && flagMiB > 0) return Math.min(flagMiB * MiB, heapSizeLimit);
  return Math.max(heapSizeLimit - YOUNG_GENERATION_RESERVE, heapSizeLimit / 2);
}

let cachedLimit: { readonly heap: number; readonly old: number } | undefined;

/** ~0.5 µs a call: cheap enough to ask before every call of an operation. */
export const readV8Heap: HeapReader = () => {
  const stats = getHeapStatistics();
  if (cachedLimit?.heap !== stats.heap_size_limit) {
    cachedLimit = { heap: stats.heap_size_limit, old: oldGenerationLimit(stats.heap_size_limit) };
  }
  // The used heap counts the young generation too: compared with the old generation's limit, the guard errs early.
  return { usedBytes: stats.used_heap_size, limitBytes: cachedLimit.old };
};

/**
 * A MemoryBudget over the V8 heap: an operation is aborted once the heap passes `fraction` of its limit, which
 * leaves the rest for the error answer, other requests and the garbage collector. V8 cannot recover from reaching
 * its limit (the process aborts), so the guard must fire before it does: hence also `reserve`, asked before an
 * allocation whose size is known in advance (a primitive method's result, the encoded answer).
 *
 * The heap figure counts garbage not yet collected, so near the line an operation may be refused that a collection
 * would have let through: the price of never letting one through that kills the process.
 */
export function heapGuard(fraction: number, read: HeapReader = readV8Heap): MemoryBudget {
  const refuse = (stage: string, { usedBytes, limitBytes }: HeapUsage, more = 0): never => {
    const wanted = more > 0 ? ` and ${Math.ceil(more / MiB)} MiB more were needed` : '';
    throw new ResourceExhaustedError(
      `Operation aborted while ${stage}: the heap holds ${Math.round(usedBytes / MiB)} MiB of its ` +
        `${Math.round(limitBytes / MiB)} MiB limit${wanted} (guard at ${Math.round(fraction * 100)}%, ` +
        'MCD_MEMORY_GUARD_HEAP_FRACTION)',
    );
  };
  return {
    check(stage) {
      const usage = read();
      if (usage.usedBytes > usage.limitBytes * fraction) refuse(stage, usage);
    },
    reserve(bytes, stage) {
      if (bytes <= 0) return this.check(stage);
      const usage = read();
      if (usage.usedBytes + bytes > usage.limitBytes * fraction) refuse(stage, usage, bytes);
    },
  };
}
