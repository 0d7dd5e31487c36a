import type { ProxyClient } from '../connectors/proxy-client';
import { isEncodedJson } from '../encoding/encoded-json';
import { ForbiddenError, OperationError } from '../errors/agent-errors';
import { type MemoryBudget, UNLIMITED_MEMORY } from '../memory/memory-budget';
import type { Command } from '../protocol/execute-request';
import { type DecodingScope, decodeValue, needsDecoding } from './argument-decoding';
import { assertPrimitiveResult, callCost, isPrimitive } from './bounded-members';
import { describe, type Member, resolveMember } from './member-resolution';
import { parametersOf, REST_KEYWORDS } from './method-parameters';
import { assertStoreName } from './name-rules';
import { createOperationUtils } from './operation-utils';

export interface InterpreterOptions {
  /** Fires when the operation times out: the next call is not made. */
  readonly signal?: AbortSignal | undefined;
  /** Asked before every call and every store, and before a primitive method allocates (issue 9). */
  readonly memory?: MemoryBudget | undefined;
  /** MCD_MAX_PRIMITIVE_RESULT_LENGTH. */
  readonly maxPrimitiveResultLength?: number | undefined;
}

/**
 * Runs an operation's commands in order against `client` and returns the last result (SPEC §3). Variables live in a
 * Map that dies with the call, so a command can only name `_client`, `__utils` and what earlier commands stored.
 */
export async function executeCommands(
  commands: readonly Command[],
  client: ProxyClient,
  options: InterpreterOptions = {},
): Promise<unknown> {
  const run = new CommandRun(client, options);
  let last: unknown = null;
  for (const command of commands) {
    const result = run.chain(command);
    last = isThenable(result) ? await result : result;
  }
  return last;
}

/**
 * What a method returned that `await` would wait for. Every step is awaited (SPEC §3), but a step that returned a
 * plain value costs no promise: with AsyncLocalStorage active (log context, current operation), every promise of
 * the operation pays Node's promise hooks, and most commands (`cursor`, `description`, `build_dict`) are sync.
 */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

class CommandRun implements DecodingScope {
  readonly #variables = new Map<string, unknown>();
  readonly #client: ProxyClient;
  readonly #signal: AbortSignal | undefined;
  readonly #memory: MemoryBudget;
  readonly #maxPrimitiveResultLength: number;
  #checkedOnStore = false;
  /** How many pre-encoded values (a cursor's rows) arguments have referenced so far. */
  #encodedLookups = 0;
  readonly #utils: Readonly<Record<string, unknown>>;

  constructor(client: ProxyClient, options: InterpreterOptions) {
    this.#client = client;
    this.#signal = options.signal;
    this.#memory = options.memory ?? UNLIMITED_MEMORY;
    this.#maxPrimitiveResultLength = options.maxPrimitiveResultLength ?? Number.POSITIVE_INFINITY;
    this.#variables.set('_client', client);
    this.#utils = createOperationUtils();
    this.#variables.set('__utils', this.#utils);
  }

  /** A command and its `next` links, each called on the previous result; a value, or a promise of one. */
  chain(command: Command): unknown {
    let result = this.#invoke(this.lookup(command.target ?? '_client'), command);
    for (let link = command.next; link != null; link = link.next) {
      if (isThenable(result)) return this.#chainAsync(result, link);
      result = this.#link(result, link);
    }
    return result;
  }

  async #chainAsync(pending: PromiseLike<unknown>, from: Command): Promise<unknown> {
    let result = await pending;
    for (let link: Command | null | undefined = from; link != null; link = link.next) {
      const step = this.#link(result, link);
      result = isThenable(step) ? await step : step;
    }
    return result;
  }

  #link(result: unknown, link: Command): unknown {
    if (typeof link !== 'object') throw new OperationError('next must be a command object');
    // Deviation: Apollo silently redirected a call on a falsy result to _client.
    if (result === null || result === undefined) {
      throw new OperationError(`Cannot call ${link.method} on a ${String(result)} result`);
    }
    return this.#invoke(result, link);
  }

  lookup(name: string): unknown {
    if (!this.#variables.has(name)) throw new OperationError(`${name} not found in context`);
    const value = this.#variables.get(name);
    if (isEncodedJson(value)) this.#encodedLookups++;
    return value;
  }

  /**
   * A `{"__type__": "call", ...}` argument: one command (with its `next` links) whose result is the value. The command
   * schema has checked its shape before anything ran (execute/operation-shape.ts); the checks here and in #invoke and
   * #call hold for commands that reach the interpreter some other way.
   */
  async call(value: unknown): Promise<unknown> {
    const { target } = value as Partial<Command>;
    if (target != null && typeof target !== 'string') throw new OperationError('call value: target must be a string');
    return this.chain(value as Command);
  }

  #invoke(on: unknown, command: Command): unknown {
    this.#signal?.throwIfAborted();
    // Rows kept encoded (EncodedJson) are called on as the list they stand for.
    const target = isEncodedJson(on) ? on.toValue() : on;
    // A store just checked the heap, and nothing has been allocated since: one reading is enough (~0.5 µs each).
    if (this.#checkedOnStore) this.#checkedOnStore = false;
    else this.#memory.check('running commands');
    const member = resolveMember(target, command.method, this.#client);
    if (member.kind === 'value') return this.#settle(target, command, member.value);
    const called = this.#call(member, command);
    return isThenable(called) ? this.#settleAsync(target, command, called) : this.#settle(target, command, called);
  }

  async #settleAsync(target: unknown, command: Command, pending: PromiseLike<unknown>): Promise<unknown> {
    return this.#settle(target, command, await pending);
  }

  /** The checks on a step's result, and its `store`. */
  #settle(target: unknown, command: Command, result: unknown): unknown {
    if (typeof result === 'function') throw new ForbiddenError(`Method ${command.method} returned a function`);
    if (isPrimitive(target)) assertPrimitiveResult(target, command.method, result, this.#maxPrimitiveResultLength);
    if (command.store != null) {
      assertStoreName(command.store);
      this.#memory.check('storing a variable');
      this.#checkedOnStore = true;
      this.#variables.set(command.store, result);
    }
    return result;
  }

  #call(member: Extract<Member, { kind: 'method' }>, command: Command): unknown {
    if (command.args != null && !Array.isArray(command.args)) throw new OperationError('args must be a list');
    if (command.kwargs != null && (typeof command.kwargs !== 'object' || Array.isArray(command.kwargs))) {
      throw new OperationError('kwargs must be an object');
    }
    const args = command.args ?? [];
    const kwargs = command.kwargs ?? undefined;
    // Plain arguments (most) are used as they are, at once; references and call values are decoded first.
    if (needsDecoding(args) || needsDecoding(kwargs)) return this.#callDecoded(member, command, args, kwargs);
    return this.#apply(member, command, args, kwargs);
  }

  async #callDecoded(
    member: Extract<Member, { kind: 'method' }>,
    command: Command,
    rawArgs: unknown[],
    rawKwargs: object | undefined,
  ): Promise<unknown> {
    const lookups = this.#encodedLookups;
    let args = (await decodeValue(rawArgs, this)) as unknown[];
    let kwargs = rawKwargs === undefined ? undefined : ((await decodeValue(rawKwargs, this)) as object);
    // Pre-encoded rows stay encoded through `__utils.build_dict` (they are going to the answer); a connector's own
    // method gets the list they stand for.
    if (this.#encodedLookups !== lookups && member.receiver !== this.#utils) {
      args = withEncodedDecoded(args) as unknown[];
      kwargs = withEncodedDecoded(kwargs) as object | undefined;
    }
    return await this.#apply(member, command, args, kwargs);
  }

  #apply(member: Extract<Member, { kind: 'method' }>, command: Command, args: unknown[], kwargs: object | undefined) {
    const bound = bindArguments(command.method, member.fn, args, kwargs);
    const bytes = callCost(member.receiver, command.method, bound);
    if (bytes > 0) this.#memory.reserve(bytes, `calling ${command.method} on ${describe(member.receiver)}`);
    this.#checkedOnStore = false;
    return member.fn.apply(member.receiver, bound) as unknown;
  }
}

/** `value` with every EncodedJson inside it replaced by its parsed value (only the paths to one are copied). */
function withEncodedDecoded(value: unknown): unknown {
  if (isEncodedJson(value)) return value.toValue();
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const items = value.map(withEncodedDecoded);
    return items.some((item, i) => item !== value[i]) ? items : value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
  const entries = Object.entries(value).map(([key, item]) => [key, withEncodedDecoded(item)] as const);
  return entries.some(([key, item]) => item !== (value as Record<string, unknown>)[key])
    ? Object.fromEntries(entries)
    : value;
}

/** Maps Python keyword arguments onto positions (see method-parameters.ts). */
export function bindArguments(
  method: string,
  fn: (...args: never[]) => unknown,
  args: unknown[],
  kwargs: object | undefined,
): unknown[] {
  const keys = kwargs ? Object.keys(kwargs) : [];
  if (!kwargs || keys.length === 0) return args;
  const names = parametersOf(fn);
  if (!names) return [...args, kwargs];
  const bound = [...args];
  const restIndex = names.indexOf(REST_KEYWORDS);
  const rest: [string, unknown][] = [];
  for (const key of keys) {
    const value = (kwargs as Record<string, unknown>)[key];
    const index = key === REST_KEYWORDS ? -1 : names.indexOf(key);
    if (index < 0) {
      if (restIndex < 0) throw new OperationError(`${method}() got an unexpected keyword argument '${key}'`);
      rest.push([key, value]);
    } else if (index < args.length) {
      throw new OperationError(`${method}() got multiple values for argument '${key}'`);
    } else {
      bound[index] = value;
    }
  }
  if (restIndex >= 0) bound[restIndex] = Object.fromEntries(rest);
  return bound;
}
