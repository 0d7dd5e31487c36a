import type { AgentConfig } from '../config/config';
import { BadRequestError } from '../errors/agent-errors';
import type { Command } from '../protocol/execute-request';

/** SPEC §3.1 limits on an operation's shape, checked before anything runs. */
export function assertWithinLimits(commands: readonly Command[], limits: AgentConfig['limits']): void {
  if (commands.length > limits.maxCommands) {
    throw new BadRequestError(`Too many commands: ${commands.length} (limit ${limits.maxCommands})`);
  }
  commands.forEach((command, index) => {
    let depth = 0;
    for (let link = command.next; link; link = link.next) depth++;
    if (depth > limits.maxChainDepth) {
      throw new BadRequestError(
        `commands.${index}: chain of ${depth} next calls exceeds the limit of ${limits.maxChainDepth}`,
      );
    }
  });
}
