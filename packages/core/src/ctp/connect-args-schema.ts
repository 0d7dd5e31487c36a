import { isPlainObject, pythonStr } from './template/template-values';

/**
 * What a connector's `connect_args` must hold (Apollo's TypedDicts): the keys a mapper must produce, and the types
 * values are coerced to (a port rendered as "5432" becomes 5432, a numeric password becomes a string). Booleans are
 * never coerced, as in Apollo (`bool("false")` would be true).
 */
export interface ConnectArgsSchema {
  readonly required?: readonly string[];
  readonly types?: Readonly<Record<string, 'str' | 'int' | 'float'>>;
}

export function missingKeys(schema: ConnectArgsSchema | undefined, keys: Iterable<string>): string[] {
  const present = new Set(keys);
  return (schema?.required ?? []).filter((key) => !present.has(key)).sort();
}

/** Coerces what can be coerced; a value that does not convert is left as it is (the connector then reports it). */
export function coerce(schema: ConnectArgsSchema | undefined, args: Record<string, unknown>): Record<string, unknown> {
  const types = schema?.types;
  if (!types) return args;
  return Object.fromEntries(
    Object.entries(args).map(([key, value]) => {
      const type = Object.hasOwn(types, key) ? types[key] : undefined;
      return [key, type ? coerceValue(value, type) : value];
    }),
  );
}

function coerceValue(value: unknown, type: 'str' | 'int' | 'float'): unknown {
  if (typeof value === 'boolean' || value === null || isPlainObject(value) || Array.isArray(value)) return value;
  switch (type) {
    case 'str':
      return typeof value === 'number' ? pythonStr(value) : value;
    case 'int':
      if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : value;
      return typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value) ? Number.parseInt(value, 10) : value;
    case 'float':
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
      return value;
  }
}
