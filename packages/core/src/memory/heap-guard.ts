import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
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

let fullCollection: (() => void) | null | undefined;
let lastCollection = Number.NEGATIVE_INFINITY;
/** At most one forced collection a second: a heap full of live data is refused, not collected over and over. */
const COLLECTION_INTERVAL_MS = 1000;

/**
 * A full garbage collection, before the guard refuses an operation over garbage: the used-heap figure counts what
 * an earlier operation left and V8 has not collected yet (right after a large answer, most of it), and refusing the
 * next operation for that would fail it for nothing. `gc` is obtained as jest's leak detector does (exposed, then
 * read from a fresh context); false where that is not possible. A collection for reason `idle` (no operation
 * running: `HeapGuard.collectIdleGarbage`) always runs; one for `check` is refused within a second of the last one,
 * so that a heap full of live data is refused, not collected over and over.
 */
export function collectV8Garbage(reason: CollectionReason = 'check', now = Date.now()): boolean {
  if (reason === 'check' && now - lastCollection < COLLECTION_INTERVAL_MS) return false;
  if (fullCollection === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      fullCollection = runInNewContext('gc') as () => void;
    } catch {
      fullCollection = null;
    }
  }
  if (!fullCollection) return false;
  lastCollection = now;
  fullCollection();
  return true;
}

/** Why a collection is asked for: a guard reading over the line during an operation, or no operation running. */
export type CollectionReason = 'check' | 'idle';

/** The execute path's guard: a MemoryBudget, and what to do once no operation is running. */
export interface HeapGuard extends MemoryBudget {
  /**
   * Called when the last running operation has ended. If a reading since the last call met the line, the garbage
   * is collected in the next turn of the event loop (the answer handed back to be written), if still no operation
   * runs, rather than when the next operation is checked: the operation refused for memory has just let go of what
   * it held, and a second collection within the rate limit would be refused, so the next operation, however small,
   * would be refused over that garbage. With no operation running nothing the guard protects is live, so this
   * cannot thrash: after a collection that left the heap over the line (live data outside any operation), the next
   * one waits for a reading under the line. An operation that never met the line costs one boolean test here.
   */
  collectIdleGarbage(stillIdle: () => boolean): void;
}

/**
 * A MemoryBudget over the V8 heap: an operation is aborted once the heap passes `fraction` of its limit, which
 * leaves the rest for the error answer, other requests and the garbage collector. V8 cannot recover from reaching
 * its limit (the process aborts), so the guard must fire before it does: hence also `reserve`, asked before an
 * allocation whose size is known in advance (a primitive method's result, the encoded answer).
 *
 * The heap figure counts garbage not yet collected: over the line, `collect` (a full collection, for V8's own
 * figures) runs once and the heap is read again before anything is refused.
 */
export function heapGuard(
  fraction: number,
  read: HeapReader = readV8Heap,
  collect: (reason: CollectionReason) => boolean = read === readV8Heap ? collectV8Garbage : () => false,
): HeapGuard {
  const over = (usage: HeapUsage, more = 0) => usage.usedBytes + more > usage.limitBytes * fraction;
  /** A reading since the last idle call found the heap over the line. */
  let sawOverLine = false;
  /** The last idle collection left the heap over the line: none again until a reading under it. */
  let idleFutile = false;
  /** The heap, collected first when it is over the line with `more` bytes to come. */
  const usageFor = (more: number): HeapUsage => {
    const usage = read();
    if (!over(usage)) idleFutile = false;
    if (!over(usage, more)) return usage;
    sawOverLine = true;
    return collect('check') ? read() : usage;
  };
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
      const usage = usageFor(0);
      if (over(usage)) refuse(stage, usage);
    },
    reserve(bytes, stage) {
      if (bytes <= 0) return this.check(stage);
      const usage = usageFor(bytes);
      if (over(usage, bytes)) refuse(stage, usage, bytes);
    },
    collectIdleGarbage(stillIdle) {
      if (!sawOverLine) return;
      sawOverLine = false;
      setImmediate(() => {
        // Even under the line now: the reading that met it may have been a reservation (the heap plus what an
        // allocation was about to take), and the next operation's first allocation would meet it again.
        if (!stillIdle() || idleFutile || !collect('idle')) return;
        idleFutile = over(read());
      });
    },
  };
}
