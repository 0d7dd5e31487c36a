import type { AgentConfig } from '../config/config';
import { BadRequestError } from '../errors/agent-errors';
import { validate } from '../http/validation';
import { argumentKind, forEachCallValue } from '../protocol/call-values';
import { type Command, commandSchema } from '../protocol/execute-request';

/**
 * SPEC §3.1: an operation's shape, checked before anything runs. The request schema has checked the commands and
 * their `next` links; this walk finds every `{"__type__": "call"}` value in their args and kwargs (the decoder's own
 * reading of arguments, so exactly what would run), checks each with the same command schema under its path (a 400
 * such as `operation.commands.0.args.0.next.method: expected string, received array`), and counts it against the
 * limits: a call value is a command for MCD_MAX_COMMANDS, and the chain depth counts every call made on or inside
 * another one (a `next` link, or a call value in an argument), so nesting cannot get around MCD_MAX_CHAIN_DEPTH.
 *
 * One walk for shape and limits, and none of it inside zod: a command without call values costs a glance at its
 * arguments (the one-command hot path, SPEC §11).
 */
export function assertOperationShape(commands: readonly Command[], limits: AgentConfig['limits']): void {
  const walk: Walk = { count: commands.length, maxChainDepth: limits.maxChainDepth, index: 0 };
  for (; walk.index < commands.length; walk.index++) walkChain(commands[walk.index] as Command, 0, [], walk);
  if (walk.count > limits.maxCommands) {
    throw new BadRequestError(`Too many commands: ${walk.count} (limit ${limits.maxCommands})`);
  }
}

interface Walk {
  count: number;
  readonly maxChainDepth: number;
  /** The top-level command being walked. */
  index: number;
}

/** A chain at `path` (below its top-level command), whose first link is `depth` calls deep. */
function walkChain(link: Command, depth: number, path: readonly (string | number)[], walk: Walk): void {
  let hops = 0;
  for (let at: Command | null | undefined = link; at; at = at.next, depth++, hops++) {
    if (depth > walk.maxChainDepth) {
      throw new BadRequestError(
        `operation.commands.${walk.index}: chain of ${depth} nested calls exceeds the limit of ${walk.maxChainDepth}`,
      );
    }
    // Only an object can be (or hold) a call value: arguments that are all scalars cost no walk.
    if (!holdsObject(at.args) && !holdsObject(at.kwargs)) continue;
    const linkPath = hops === 0 ? path : [...path, ...Array<string>(hops).fill('next')];
    const inner = (call: Record<string, unknown>, callPath: readonly (string | number)[]) => {
      const where = [...linkPath, ...callPath];
      validate(commandSchema, call, 'request', ['operation', 'commands', walk.index, ...where]);
      walk.count++;
      walkChain(call as unknown as Command, depth + 1, where, walk);
    };
    forEachCallValue(at.args, ['args'], inner);
    forEachCallValue(at.kwargs, ['kwargs'], inner);
  }
}

/**
 * True when `value` is an object or array with an object among its own members, or is itself a special argument
 * object (kwargs that are one `{"__type__": "call"}` value are decoded as that call).
 */
function holdsObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (!Array.isArray(value) && argumentKind(value) !== 'plain') return true;
  for (const member of Array.isArray(value) ? value : Object.values(value)) {
    if (typeof member === 'object' && member !== null) return true;
  }
  return false;
}
