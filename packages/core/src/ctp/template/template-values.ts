import { runtimeError } from './template-error';

/**
 * The values a template works on: JSON data (null, booleans, numbers, strings, arrays, plain objects), bytes, and
 * `Undefined` for a missing key. Nothing else is ever produced, and nothing else is ever looked into: member lookups
 * read own data properties of plain objects and indices of arrays, never a prototype, a getter or a function.
 */
export class Undefined {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
}

/** Jinja's StrictUndefined: using a missing value for anything but a test or `default` is an error. */
export function failUndefined(value: Undefined): never {
  throw runtimeError(`'${value.name}' is undefined`);
}

/**
 * A JSON-like object: no prototype, or an Object.prototype (of any realm: structuredClone'd values come from the
 * outer one under some hosts). Class instances, Maps, Buffers and the like are not.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

export const isBytes = (value: unknown): value is Uint8Array => value instanceof Uint8Array;

/** A member of `container` by name or index: own data only (an accessor property counts as missing). */
export function lookup(container: unknown, key: unknown, shownName: string): unknown {
  if (container instanceof Undefined) failUndefined(container);
  if (Array.isArray(container) || typeof container === 'string') {
    if (typeof key === 'number' && Number.isInteger(key)) {
      const index = key < 0 ? container.length + key : key;
      if (index >= 0 && index < container.length) return container[index];
    }
    return new Undefined(shownName);
  }
  if (isPlainObject(container) && typeof key === 'string') {
    const descriptor = Object.getOwnPropertyDescriptor(container, key);
    if (descriptor && 'value' in descriptor) return descriptor.value;
  }
  return new Undefined(shownName);
}

/** Python's truth: empty strings, lists, dicts and bytes, zero, None and False are false. */
export function truthy(value: unknown): boolean {
  if (value instanceof Undefined) failUndefined(value);
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value) || isBytes(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return true;
}

/** Python's type names, for error messages (which never show values). */
export function typeName(value: unknown): string {
  if (value instanceof Undefined) return 'undefined';
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  if (isBytes(value)) return 'bytes';
  return 'dict';
}

/** Python's `str()`: what `~`, `string` and text templates print. */
export function pythonStr(value: unknown): string {
  if (value instanceof Undefined) failUndefined(value);
  if (typeof value === 'string') return value;
  return pythonRepr(value);
}

/** Python's `repr()`, for values inside lists and dicts. */
export function pythonRepr(value: unknown): string {
  if (value instanceof Undefined) failUndefined(value);
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
    return String(value);
  }
  if (typeof value === 'string') return quote(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (isBytes(value)) return `b${quote(Buffer.from(value).toString('latin1'))}`;
  if (isPlainObject(value)) {
    return `{${Object.entries(value)
      .map(([key, item]) => `${quote(key)}: ${pythonRepr(item)}`)
      .join(', ')}}`;
  }
  return 'None';
}

function quote(text: string): string {
  const q = text.includes("'") && !text.includes('"') ? '"' : "'";
  const escaped = text.replace(/[\\\n\r\t]/g, (c) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c] ?? c);
  return `${q}${q === "'" ? escaped.replace(/'/g, "\\'") : escaped}${q}`;
}

/** Python's `==`: structural, with True == 1 and False == 0. */
export function equal(left: unknown, right: unknown): boolean {
  if (left instanceof Undefined) failUndefined(left);
  if (right instanceof Undefined) failUndefined(right);
  const numeric = (v: unknown) => typeof v === 'number' || typeof v === 'boolean';
  if (numeric(left) && numeric(right)) return Number(left) === Number(right);
  if (Array.isArray(left) && Array.isArray(right)) {
    return left.length === right.length && left.every((item, index) => equal(item, right[index]));
  }
  if (isBytes(left) && isBytes(right)) return Buffer.from(left).equals(Buffer.from(right));
  if (isPlainObject(left) && isPlainObject(right)) {
    const keys = Object.keys(left);
    return (
      keys.length === Object.keys(right).length &&
      keys.every((key) => Object.hasOwn(right, key) && equal(left[key], right[key]))
    );
  }
  return (left ?? null) === (right ?? null);
}
