import { describe, expect, it } from '@jest/globals';
import { ResourceExhaustedError } from '../../src/errors/agent-errors';
import { heapGuard, oldGenerationLimit, readV8Heap } from '../../src/memory/heap-guard';

const MiB = 1024 * 1024;

describe('heapGuard', () => {
  const at = (usedMiB: number) => () => ({ usedBytes: usedMiB * MiB, limitBytes: 100 * MiB });

  it('lets an operation go on below the fraction', () => {
    expect(() => heapGuard(0.85, at(85)).check('running commands')).not.toThrow();
    expect(() => heapGuard(0.85, at(80)).reserve(5 * MiB, 'storing a variable')).not.toThrow();
  });

  it('aborts once the heap is past the fraction of its limit', () => {
    expect(() => heapGuard(0.85, at(86)).check('running commands')).toThrow(
      new ResourceExhaustedError(
        'Operation aborted while running commands: the heap holds 86 MiB of its 100 MiB limit ' +
          '(guard at 85%, MCD_MEMORY_GUARD_HEAP_FRACTION)',
      ),
    );
  });

  it('refuses an allocation that would take the heap past the fraction', () => {
    expect(() => heapGuard(0.5, at(40)).reserve(11 * MiB, 'encoding the result')).toThrow(
      new ResourceExhaustedError(
        'Operation aborted while encoding the result: the heap holds 40 MiB of its 100 MiB limit and 11 MiB more ' +
          'were needed (guard at 50%, MCD_MEMORY_GUARD_HEAP_FRACTION)',
      ),
    );
  });

  it('collects garbage once before refusing, and goes on when the collection brought the heap under the line', () => {
    // Prepare: 90 MiB used, 60 once collected (an earlier answer's garbage)
    let used = 90;
    const collected: number[] = [];
    const guard = heapGuard(
      0.85,
      () => ({ usedBytes: used * MiB, limitBytes: 100 * MiB }),
      () => {
        collected.push(used);
        used = 60;
        return true;
      },
    );

    // Act / Assess
    expect(() => guard.check('running commands')).not.toThrow();
    expect(() => guard.reserve(20 * MiB, 'storing a variable')).not.toThrow();
    expect(collected).toEqual([90]);
  });

  it('refuses when the collection could not run or freed too little', () => {
    // Prepare
    const full = () => ({ usedBytes: 90 * MiB, limitBytes: 100 * MiB });

    // Act / Assess
    expect(() => heapGuard(0.85, full, () => true).check('running commands')).toThrow(ResourceExhaustedError);
    expect(() => heapGuard(0.85, full, () => false).check('running commands')).toThrow(ResourceExhaustedError);
  });

  it('carries the ResourceExhausted type and answers HTTP 200 like other operation failures', () => {
    // Act
    let caught: unknown;
    try {
      heapGuard(0.1, at(50)).check('running commands');
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toMatchObject({ status: 200, errorType: 'ResourceExhausted', name: 'ResourceExhaustedError' });
  });

  describe('once no operation is running', () => {
    /**
     * A heap at `used` MiB of 100 whose collection brings it to `after`, recording each collection's reason. A
     * collection while operations run is rate-limited: after the first, it does not run.
     */
    const heap = (used: number, after: number) => {
      const state = { used, after, collections: [] as string[] };
      const guard = heapGuard(
        0.85,
        () => ({ usedBytes: state.used * MiB, limitBytes: 100 * MiB }),
        (reason) => {
          if (reason === 'check' && state.collections.includes('check')) return false;
          state.collections.push(reason);
          state.used = state.after;
          return true;
        },
      );
      return { guard, state };
    };
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

    it('collects the garbage a refused operation left, so the next small one is not refused over it', async () => {
      // Prepare: an operation fills the heap with live data (the collection while it runs frees nothing) and is
      // refused; once it has ended, what it held is garbage (a collection would bring the heap to 20 MiB).
      const { guard, state } = heap(90, 90);
      expect(() => guard.check('running commands')).toThrow(ResourceExhaustedError);
      state.after = 20;

      // Act
      guard.collectIdleGarbage(() => true);
      await nextTurn();

      // Assess: without the idle collection the next check would be refused (its own collection is rate-limited).
      expect(state.collections).toEqual(['check', 'idle']);
      expect(() => guard.check('running commands')).not.toThrow();
    });

    it('collects after a refused reservation too, though the heap alone is under the line', async () => {
      // Prepare: 80 MiB held and 10 more asked for (over 85); the collection while it runs frees nothing.
      const { guard, state } = heap(80, 80);
      expect(() => guard.reserve(10 * MiB, 'calling toReversed on Array')).toThrow(ResourceExhaustedError);
      state.after = 20;

      // Act
      guard.collectIdleGarbage(() => true);
      await nextTurn();

      // Assess
      expect(state.collections).toEqual(['check', 'idle']);
      expect(() => guard.reserve(10 * MiB, 'calling toReversed on Array')).not.toThrow();
    });

    it('does nothing for operations that never met the line, or when another operation runs by then', async () => {
      // Prepare
      const quiet = heap(50, 50);
      const busy = heap(90, 10);
      expect(() => busy.guard.check('running commands')).not.toThrow();

      // Act
      quiet.guard.collectIdleGarbage(() => true);
      busy.guard.collectIdleGarbage(() => false);
      await nextTurn();

      // Assess
      expect(quiet.state.collections).toEqual([]);
      expect(busy.state.collections).toEqual(['check']);
    });

    it('does not collect again over live data outside any operation until a reading under the line', async () => {
      // Prepare: 90 MiB that no collection frees.
      const { guard, state } = heap(90, 90);
      const refusedThenIdle = async () => {
        expect(() => guard.check('running commands')).toThrow(ResourceExhaustedError);
        guard.collectIdleGarbage(() => true);
        await nextTurn();
      };

      // Act
      await refusedThenIdle();
      await refusedThenIdle();
      state.used = 50;
      guard.check('running commands');
      state.used = 90;
      await refusedThenIdle();

      // Assess: one futile idle collection, then none, then one again once the heap had been seen under the line.
      expect(state.collections).toEqual(['check', 'idle', 'idle']);
    });
  });

  it('reads V8’s own figures by default', () => {
    // Act
    const usage = readV8Heap();

    // Assess: the used heap is a positive part of a limit.
    expect(usage.usedBytes).toBeGreaterThan(0);
    expect(usage.limitBytes).toBeGreaterThan(usage.usedBytes);
  });

  it.each([
    // Node 24 with --max-old-space-size=256: a 448 MiB heap limit; the old generation dies at 256.
    [448, ['--max-old-space-size=256'], undefined, 256],
    [304, [], '--max-old-space-size=256', 256],
    // The last one wins, NODE_OPTIONS before the command line, as node reads them.
    [1584, ['--max_old_space_size=1536'], '--max-old-space-size=768', 1536],
    // No flag: V8 chose; the heap limit less the largest young reserve.
    [4288, [], undefined, 4096],
    [300, [], '--inspect', 150],
  ])(
    'measures against the old generation’s limit (heap %d MiB, argv %j, NODE_OPTIONS %s)',
    (heap, argv, options, old) => {
      // Act
      const limit = oldGenerationLimit(heap * 1024 * 1024, argv, options);

      // Assess
      expect(limit / (1024 * 1024)).toBe(old);
    },
  );
});
