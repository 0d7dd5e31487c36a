/**
 * Python callers name their arguments (`list(maxResults=100)`); JavaScript functions take positions. A method that
 * declares its parameter names gets keyword arguments in those positions; one that does not gets them as a single
 * trailing options object. A `**kwargs` entry collects every keyword argument not named elsewhere.
 *
 * `Symbol.for` so that a plugin can declare names without importing this module:
 *   fn[Symbol.for('artemis.parameters')] = ['key', 'obj_to_write'];
 */
export const PARAMETERS = Symbol.for('artemis.parameters');

export const REST_KEYWORDS = '**kwargs';

type Callable = (...args: never[]) => unknown;

export function withParameters<F extends Callable>(names: readonly string[], fn: F): F {
  Object.defineProperty(fn, PARAMETERS, { value: Object.freeze([...names]) });
  return fn;
}

export function parametersOf(fn: Callable): readonly string[] | undefined {
  const names = (fn as { [PARAMETERS]?: unknown })[PARAMETERS];
  return Array.isArray(names) ? names : undefined;
}
