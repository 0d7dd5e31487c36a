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
  const counter = { count: commands.length, maxChainDepth: limits.maxChainDepth, index: 0 };
  for (; counter.index < commands.length; counter.index++) {
    walkChain(commands[counter.index] as Command, 0, counter);
  }
  if (counter.count > limits.maxCommands) {
    throw new BadRequestError(`Too many commands: ${counter.count} (limit ${limits.maxCommands})`);
  }
}

interface Counter {
  count: number;
  readonly maxChainDepth: number;
  /** The top-level command being walked, for the message. */
  index: number;
}

/** A chain and, through its call values, every chain nested in it: `depth` calls deep at its first link. */
function walkChain(link: Command, depth: number, counter: Counter): void {
  for (let at: Command | null | undefined = link; at; at = at.next, depth++) {
    if (depth > counter.maxChainDepth) {
      throw new BadRequestError(
        `operation.commands.${counter.index}: chain of ${depth} nested calls exceeds the limit of ${counter.maxChainDepth}`,
      );
    }
    if (at.args == null && at.kwargs == null) continue;
    const inner = (call: Record<string, unknown>) => {
      counter.count++;
      walkChain(call as unknown as Command, depth + 1, counter);
    };
    forEachCallValue(at.args, [], inner);
    forEachCallValue(at.kwargs, [], inner);
  }
}
