import { describe, expect, it } from '@jest/globals';
import { ResourceExhaustedError } from '../../src/errors/agent-errors';
import { heapGuard, readV8Heap } from '../../src/memory/heap-guard';

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

  it('reads V8’s own figures by default', () => {
    // Act
    const usage = readV8Heap();

    // Assess: the used heap is a positive part of a limit.
    expect(usage.usedBytes).toBeGreaterThan(0);
    expect(usage.limitBytes).toBeGreaterThan(usage.usedBytes);
  });
});
