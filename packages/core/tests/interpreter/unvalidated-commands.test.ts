import { describe, expect, it } from '@jest/globals';
import type { ProxyClient } from '../../src/connectors/proxy-client';
import { ForbiddenError, OperationError } from '../../src/errors/agent-errors';
import { executeCommands } from '../../src/interpreter/execute-commands';
import type { Command } from '../../src/protocol/execute-request';

/**
 * Defence in depth (issue 9 finding 1): the request schema is the first line; the interpreter itself still refuses
 * a command of the wrong shape that reaches it some other way, and never coerces a name.
 */
describe('the interpreter on commands that skipped the schema', () => {
  const client: ProxyClient = { wrappedClient: { arr: () => [1, 2, 3], value: (v: unknown) => v } };
  const run = (commands: unknown[]) => executeCommands(commands as Command[], client);
  const call = (command: Record<string, unknown>) => ({ __type__: 'call', ...command });

  it.each([
    [['constructor'], 'Method name refused: ["constructor"]'],
    [{ toString: 'constructor' }, 'Method name refused: {"toString":"constructor"}'],
    [5, 'Method name refused: 5'],
    [undefined, 'Method name refused: undefined'],
  ])('refuses the method name %j instead of coercing it', async (method, message) => {
    // Prepare: at top level, in a next link, in a call value and in its next link.
    const shapes = [
      [{ method }],
      [{ method: 'arr', next: { method } }],
      [{ method: 'value', args: [call({ method })] }],
      [{ method: 'value', args: [call({ method: 'arr', next: { method, args: [5] } })] }],
    ];

    // Act / Assess
    for (const commands of shapes) await expect(run(commands)).rejects.toThrow(new ForbiddenError(message));
  });

  it('refuses a next that is not a command object instead of resolving "undefined"', async () => {
    await expect(run([{ method: 'value', args: [call({ method: 'arr', next: 'oops' })] }])).rejects.toThrow(
      new OperationError('next must be a command object'),
    );
  });

  it('refuses kwargs that are not an object instead of passing them on', async () => {
    await expect(run([{ method: 'value', args: [call({ method: 'value', kwargs: 'abc' })] }])).rejects.toThrow(
      new OperationError('kwargs must be an object'),
    );
  });

  it('refuses a store name that is not a string', async () => {
    await expect(run([{ method: 'arr', store: ['x'] }])).rejects.toThrow(
      new ForbiddenError('Variable name refused for store: ["x"]'),
    );
  });
});
