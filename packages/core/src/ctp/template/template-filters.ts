import { runtimeError } from './template-error';
import { TemplateLimits } from './template-limits';
import { failUndefined, isBytes, isPlainObject, pythonStr, truthy, typeName, Undefined } from './template-values';

/** A built-in filter: its parameter names (after the filtered value, for keyword arguments) and what it does. */
interface Filter {
  readonly params: readonly string[];
  apply(value: unknown, ...args: unknown[]): unknown;
}

const defined = (value: unknown) => {
  if (value instanceof Undefined) failUndefined(value);
  return value;
};

/** Jinja's `default`: the fallback when the value is undefined (or, with `boolean`, when it is false). */
const defaultFilter: Filter = {
  params: ['default_value', 'boolean'],
  apply: (value, fallback = '', boolean = false) =>
    value instanceof Undefined || (truthy(boolean) && !truthy(value)) ? fallback : value,
};

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';

/** Jinja's `int`: a number, a numeric string (in `base`), else `default`; never an error for bad input. */
const intFilter: Filter = {
  params: ['default', 'base'],
  apply: (value, fallback = 0, base = 10) => {
    const input = defined(value);
    if (typeof input === 'boolean') return input ? 1 : 0;
    if (typeof input === 'number') return Number.isFinite(input) ? Math.trunc(input) : fallback;
    if (typeof input !== 'string') return fallback;
    const text = input.trim().replace(/_/g, '');
    const radix = typeof base === 'number' && base >= 2 && base <= 36 ? base : 10;
    const alphabet = DIGITS.slice(0, radix);
    const body = text.replace(/^[+-]/, '').toLowerCase();
    if (body !== '' && [...body].every((c) => alphabet.includes(c))) return Number.parseInt(text, radix);
    const float = Number(text);
    return text !== '' && Number.isFinite(float) ? Math.trunc(float) : fallback;
  },
};

const floatFilter: Filter = {
  params: ['default'],
  apply: (value, fallback = 0) => {
    const input = defined(value);
    if (typeof input === 'boolean') return input ? 1 : 0;
    if (typeof input === 'number') return input;
    if (typeof input !== 'string' || input.trim() === '') return fallback;
    const parsed = Number(input.trim());
    return Number.isNaN(parsed) ? fallback : parsed;
  },
};

const stringFilter: Filter = { params: [], apply: (value) => bounded(pythonStr(value)) };

const text = (value: unknown) => pythonStr(value);

const trimFilter: Filter = {
  params: ['chars'],
  apply: (value, chars = null) => {
    const input = text(value);
    if (chars === null || chars === undefined) return input.trim();
    const set = new Set(pythonStr(chars));
    let start = 0;
    let end = input.length;
    while (start < end && set.has(input[start] as string)) start++;
    while (end > start && set.has(input[end - 1] as string)) end--;
    return input.slice(start, end);
  },
};

/** Python's `str.replace`, bounded: an empty `old` inserts `new` between every character, as Python does. */
const replaceFilter: Filter = {
  params: ['old', 'new', 'count'],
  apply: (value, old, replacement, count = null) => {
    const input = text(value);
    const from = pythonStr(old);
    const to = pythonStr(replacement);
    const limit = typeof count === 'number' && count >= 0 ? count : Number.POSITIVE_INFINITY;
    const pieces = from === '' ? ['', ...input.split(''), ''] : input.split(from);
    const occurrences = pieces.length - 1;
    const estimated = input.length + Math.min(occurrences, limit) * (to.length - from.length);
    if (estimated > TemplateLimits.maxValueLength) throw tooLarge();
    let result = '';
    pieces.forEach((piece, index) => {
      if (index > 0) result += index <= limit ? to : from;
      result += piece;
    });
    return result;
  },
};

/** Jinja's `tojson`: keys sorted, and `<`, `>`, `&`, `'` escaped so the text is safe inside HTML. */
const tojsonFilter: Filter = {
  params: ['indent'],
  apply: (value, indent = null) => {
    const json = JSON.stringify(toJsonable(value), null, typeof indent === 'number' ? indent : undefined) ?? 'null';
    return bounded(json.replace(/[<>&']/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  },
};

function toJsonable(value: unknown): unknown {
  if (value instanceof Undefined) failUndefined(value);
  if (Array.isArray(value)) return value.map(toJsonable);
  if (isBytes(value)) throw runtimeError('Object of type bytes is not JSON serializable');
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, toJsonable(value[key])]),
    );
  }
  return value ?? null;
}

const b64encodeFilter: Filter = {
  params: [],
  apply: (value) => {
    const input = defined(value);
    return bounded((isBytes(input) ? Buffer.from(input) : Buffer.from(pythonStr(input), 'utf8')).toString('base64'));
  },
};

const b64decodeFilter: Filter = {
  params: [],
  apply: (value) => {
    const input = text(value).replace(/\s/g, '');
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(input)) throw runtimeError('b64decode: the value is not base64');
    return Buffer.from(input, 'base64').toString('utf8');
  },
};

const lowerFilter: Filter = { params: [], apply: (value) => text(value).toLowerCase() };
const upperFilter: Filter = { params: [], apply: (value) => text(value).toUpperCase() };

const lengthFilter: Filter = {
  params: [],
  apply: (value) => {
    const input = defined(value);
    if (typeof input === 'string' || Array.isArray(input) || isBytes(input)) return input.length;
    if (isPlainObject(input)) return Object.keys(input).length;
    throw runtimeError(`object of type '${typeName(input)}' has no len()`);
  },
};

export const FILTERS: ReadonlyMap<string, Filter> = new Map([
  ['default', defaultFilter],
  ['d', defaultFilter],
  ['int', intFilter],
  ['float', floatFilter],
  ['string', stringFilter],
  ['trim', trimFilter],
  ['replace', replaceFilter],
  ['tojson', tojsonFilter],
  ['b64encode', b64encodeFilter],
  ['b64decode', b64decodeFilter],
  ['lower', lowerFilter],
  ['upper', upperFilter],
  ['length', lengthFilter],
  ['count', lengthFilter],
]);

export function bounded(value: string): string {
  if (value.length > TemplateLimits.maxValueLength) throw tooLarge();
  return value;
}

export const tooLarge = () => runtimeError(`value larger than ${TemplateLimits.maxValueLength} characters`);
