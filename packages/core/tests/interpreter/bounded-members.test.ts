import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { HeapUsage } from '../../src/memory/heap-guard';
import { execute, SAMPLE_PLUGIN, startTestAgent, type TestAgent } from '../support/test-agent';

const MiB = 1024 * 1024;

/**
 * Issue 9 finding 3, in process: the members of built-in values a command may use, MCD_MAX_PRIMITIVE_RESULT_LENGTH,
 * and the memory guard at each of its stages. The heap figures are injected, so nothing here depends on real memory
 * (the real thing, against a real small heap, is tests/http/memory-bombs.test.ts).
 */
describe('bounded members and the memory guard', () => {
  let agent: TestAgent;
  let readHeap: () => HeapUsage;
  const quiet = (): HeapUsage => ({ usedBytes: 0, limitBytes: 1024 * MiB });
  beforeAll(async () => {
    agent = await startTestAgent(
      { MCD_CONNECTOR_MODULES: SAMPLE_PLUGIN, MCD_MAX_PRIMITIVE_RESULT_LENGTH: '64' },
      { readHeap: () => readHeap() },
    );
  });
  beforeEach(() => {
    readHeap = quiet;
  });
  afterAll(() => agent.close());

  const envelope = async (commands: unknown[], type: string, error: string, exception: string) => {
    const response = await execute(agent, commands);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      __mcd_error__: error,
      __mcd_exception__: `${exception}: ${error}`,
      __mcd_error_type__: type,
      __mcd_trace_id__: 'trace-1',
    });
    expect(response.body).not.toHaveProperty('__mcd_result__');
  };
  const forbidden = (commands: unknown[], error: string) => envelope(commands, 'Forbidden', error, 'ForbiddenError');
  const exhausted = (commands: unknown[], error: string) =>
    envelope(commands, 'ResourceExhausted', error, 'ResourceExhaustedError');
  const on = (value: unknown, next: Record<string, unknown>) => [{ method: 'value', args: [value], next }];

  describe('primitive values: an allow-list of bounded members', () => {
    it.each([
      ['repeat', [500_000_000]],
      ['padStart', [500_000_000]],
      ['padEnd', [500_000_000]],
      ['normalize', ['NFKD']],
      ['replaceAll', ['a', 'bbbb']],
      ['match', ['(a+)+$']],
      ['search', ['(a+)+$']],
      ['anchor', ['x']],
    ])('refuses %s on strings', async (name, args) => {
      await forbidden(on('aaa', { method: name, args }), `Member ${name} refused on string values`);
    });

    it('refuses members of numbers, booleans and bigints that are not on the list', async () => {
      await forbidden(on(5, { method: 'toLocaleUpperCase' }), 'Member toLocaleUpperCase refused on number values');
      await forbidden(on(true, { method: 'at' }), 'Member at refused on boolean values');
      await forbidden(
        [{ method: 'typed', next: { method: 'big', next: { method: 'toLocaleString' } } }],
        'Member toLocaleString refused on bigint values',
      );
    });

    it.each([
      [on('Hello, World', { method: 'toUpperCase' }), 'HELLO, WORLD'],
      [on('a,b,c', { method: 'split', args: [','] }), ['a', 'b', 'c']],
      [on('Hello', { method: 'length' }), 5],
      [on('  padded ', { method: 'trim', next: { method: 'slice', args: [1, 4] } }), 'add'],
      [on(1.23456, { method: 'toFixed', args: [2] }), '1.23'],
    ])('runs the allowed ones: %j', async (commands, expected) => {
      // Act
      const response = await execute(agent, commands);

      // Assess
      expect(response.body).toEqual({ __mcd_result__: expected, __mcd_trace_id__: 'trace-1' });
    });

    it('takes only primitive arguments, so no object is stringified out of the guard’s sight', async () => {
      await forbidden(
        on('a', { method: 'concat', args: [{ __type__: 'call', method: 'arr' }] }),
        'Arguments of concat on a string must be strings, numbers or booleans',
      );
    });

    it('bounds their results by MCD_MAX_PRIMITIVE_RESULT_LENGTH', async () => {
      // Prepare: 8 characters concatenated with itself eight times over: 72 > 64.
      const commands = [
        { method: 'value', args: ['abcdefgh'], store: 's' },
        { target: 's', method: 'concat', args: Array.from({ length: 8 }, () => ({ __reference__: 's' })) },
      ];

      // Act / Assess
      await exhausted(commands, 'concat on a string returned 72 characters, over MCD_MAX_PRIMITIVE_RESULT_LENGTH (64)');
    });

    it('bounds array results of primitive methods too', async () => {
      await exhausted(
        on('x'.repeat(100), { method: 'split', args: [''] }),
        'split on a string returned 100 elements, over MCD_MAX_PRIMITIVE_RESULT_LENGTH (64)',
      );
    });
  });

  describe('arrays and binary values: no member whose result outgrows its inputs', () => {
    it.each(['concat', 'flat', 'join', 'toLocaleString'])('refuses %s on arrays', async (name) => {
      await forbidden([{ method: 'arr', next: { method: name, args: [] } }], `Member ${name} refused on arrays`);
    });

    it.each(['toJSON', 'join', 'toLocaleString'])('refuses %s on binary values', async (name) => {
      await forbidden([{ method: 'bytes', next: { method: name } }], `Member ${name} refused on binary values`);
    });

    it('keeps the ordinary array members', async () => {
      // Act
      const response = await execute(agent, [{ method: 'arr', next: { method: 'toReversed' } }]);

      // Assess
      expect(response.body).toEqual({ __mcd_result__: [3, 2, 1], __mcd_trace_id__: 'trace-1' });
    });
  });

  describe('the memory guard (MCD_MEMORY_GUARD_HEAP_FRACTION, default 0.85)', () => {
    it('aborts before a call once the heap is past the guard', async () => {
      // Prepare
      readHeap = () => ({ usedBytes: 922 * MiB, limitBytes: 1024 * MiB });

      // Act / Assess
      await exhausted(
        [{ method: 'value', args: [1] }],
        'Operation aborted while running commands: the heap holds 922 MiB of its 1024 MiB limit ' +
          '(guard at 85%, MCD_MEMORY_GUARD_HEAP_FRACTION)',
      );
    });

    it('aborts before storing a variable', async () => {
      // Prepare: the first reading (before the call) is low, the next one (before the store) is past the guard.
      let readings = 0;
      readHeap = () => ({ usedBytes: readings++ === 0 ? 0 : 900 * MiB, limitBytes: 1024 * MiB });

      // Act / Assess
      await exhausted(
        [{ method: 'value', args: [1], store: 'v' }],
        'Operation aborted while storing a variable: the heap holds 900 MiB of its 1024 MiB limit ' +
          '(guard at 85%, MCD_MEMORY_GUARD_HEAP_FRACTION)',
      );
    });

    it('refuses a primitive method whose result would not fit', async () => {
      // Prepare: toUpperCase may take six bytes a character: 6 × 200 000 > 85% of 1 MiB.
      readHeap = () => ({ usedBytes: 0, limitBytes: MiB });

      // Act / Assess
      await exhausted(
        on('a'.repeat(200_000), { method: 'toUpperCase' }),
        'Operation aborted while calling toUpperCase on string: the heap holds 0 MiB of its 1 MiB limit and ' +
          '2 MiB more were needed (guard at 85%, MCD_MEMORY_GUARD_HEAP_FRACTION)',
      );
    });

    it('refuses to encode a result whose text would not fit', async () => {
      // Prepare: the driver's `big` returns 400 000 characters; the text would need ~1.2 MB.
      readHeap = () => ({ usedBytes: 0, limitBytes: MiB });

      // Act / Assess
      await exhausted(
        [{ method: 'big', args: [400_000] }],
        'Operation aborted while encoding the result: the heap holds 0 MiB of its 1 MiB limit and ' +
          '2 MiB more were needed (guard at 85%, MCD_MEMORY_GUARD_HEAP_FRACTION)',
      );
    });

    it('answers the next operation once memory is back', async () => {
      // Prepare
      readHeap = () => ({ usedBytes: 950 * MiB, limitBytes: 1024 * MiB });
      await execute(agent, [{ method: 'value', args: [1] }]);
      readHeap = quiet;

      // Act
      const response = await execute(agent, [{ method: 'value', args: [2] }]);

      // Assess
      expect(response.body).toEqual({ __mcd_result__: 2, __mcd_trace_id__: 'trace-1' });
    });
  });
});
