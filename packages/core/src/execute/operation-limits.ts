import type { AgentConfig } from '../config/config';
import { BadRequestError } from '../errors/agent-errors';
import { forEachCallValue } from '../protocol/call-values';
import type { Command } from '../protocol/execute-request';

/**
 * SPEC §3.1 limits on an operation's shape, checked before anything runs. A call value is a command like any other:
 * it counts against MCD_MAX_COMMANDS, and the chain depth counts every call made on or inside another one (a `next`
 * link, or a call value in an argument), so nesting call values cannot get around the `next` limit.
 */
export function assertWithinLimits(commands: readonly Command[], limits: AgentConfig['limits']): void {
  let count = commands.length;
  commands.forEach((command, index) => {
    const walk = (link: Command, depth: number): void => {
      for (let at: Command | null | undefined = link; at; at = at.next, depth++) {
        if (depth > limits.maxChainDepth) {
          throw new BadRequestError(
            `operation.commands.${index}: chain of ${depth} nested calls exceeds the limit of ${limits.maxChainDepth}`,
          );
        }
        const inner = (call: Record<string, unknown>) => {
          count++;
          walk(call as unknown as Command, depth + 1);
        };
        if (at.args) forEachCallValue(at.args, [], inner);
        if (at.kwargs) forEachCallValue(at.kwargs, [], inner);
      }
    };
    walk(command, 0);
  });
  if (count > limits.maxCommands) {
    throw new BadRequestError(`Too many commands: ${count} (limit ${limits.maxCommands})`);
  }
}
