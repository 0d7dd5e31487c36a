import { getHeapStatistics } from 'node:v8';
import { ResourceExhaustedError } from '../errors/agent-errors';
import type { MemoryBudget } from './memory-budget';

export interface HeapUsage {
  readonly usedBytes: number;
  readonly limitBytes: number;
}

/** Where the heap figures come from: V8 in production, a fake in tests that must not depend on real memory. */
export type HeapReader = () => HeapUsage;

/** ~0.5 µs a call: cheap enough to ask before every call of an operation. */
export const readV8Heap: HeapReader = () => {
  const stats = getHeapStatistics();
  return { usedBytes: stats.used_heap_size, limitBytes: stats.heap_size_limit };
};

const MiB = 1024 * 1024;

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
