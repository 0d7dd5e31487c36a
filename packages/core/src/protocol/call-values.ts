import { WireKey } from './wire-keys';

/**
 * How an argument object is read (SPEC §3): a `__reference__` names a variable, `__type__` `call` is a command whose
 * result is the value, the decoded `__type__` tags become values, and any other object (unknown `__type__` tags
 * included) is a plain object whose members are read the same way. The decoder and the request schema both ask this
 * one function, so the schema validates exactly the call values the interpreter will run.
 */
export type ArgumentKind = 'reference' | 'call' | 'typed' | 'plain';

/** `__type__` tags the decoder turns into a value, ignoring the object's other keys. */
export const DECODED_TYPES: ReadonlySet<unknown> = new Set(['bytes', 'datetime', 'date', 'decimal', 'float']);

export function argumentKind(object: object): ArgumentKind {
  if (Object.hasOwn(object, WireKey.reference)) return 'reference';
  if (!Object.hasOwn(object, WireKey.type)) return 'plain';
  const type = (object as Record<string, unknown>)[WireKey.type];
  if (type === 'call') return 'call';
  return DECODED_TYPES.has(type) ? 'typed' : 'plain';
}

export type ValuePath = readonly (string | number)[];

/**
 * Calls `visit` for every call value the decoder would run inside `value` (at any depth, but not inside the call
 * values themselves: their own arguments belong to the visitor). `path` is where `value` sits in the request.
 */
export function forEachCallValue(
  value: unknown,
  path: ValuePath,
  visit: (call: Record<string, unknown>, path: ValuePath) => void,
): void {
  // Nothing to walk in the common case (scalar arguments): no path is allocated, no closure created.
  if (typeof value !== 'object' || value === null) return;
  walk(value, [...path], visit);
}

/** One mutable path, copied only for a call value: a large plain argument (executemany rows) allocates nothing. */
function walk(item: unknown, at: (string | number)[], visit: (call: Record<string, unknown>, path: ValuePath) => void) {
  if (typeof item !== 'object' || item === null) return;
  if (Array.isArray(item)) {
    for (let i = 0; i < item.length; i++) {
      const element: unknown = item[i];
      if (typeof element !== 'object' || element === null) continue;
      at.push(i);
      walk(element, at, visit);
      at.pop();
    }
    return;
  }
  const kind = argumentKind(item);
  if (kind === 'call') visit(item as Record<string, unknown>, [...at]);
  if (kind !== 'plain') return;
  for (const key of Object.keys(item)) {
    const member: unknown = (item as Record<string, unknown>)[key];
    if (typeof member !== 'object' || member === null) continue;
    at.push(key);
    walk(member, at, visit);
    at.pop();
  }
}
