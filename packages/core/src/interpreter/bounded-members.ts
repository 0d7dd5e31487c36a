import { ForbiddenError, ResourceExhaustedError } from '../errors/agent-errors';

/*
 * Members whose results could outgrow the agent's memory (issue 9 finding 3).
 *
 * Members of primitive values (strings, numbers, booleans, bigints, symbols) a command may use: a reviewed
 * allow-list of bounded ones (issue 9: `"a".repeat(5e8).toUpperCase()` ten times killed the process). Each maps to
 * the most its result can weigh, in bytes per character of input (the receiver plus its string arguments), so the
 * memory guard can refuse the call before the allocation happens.
 *
 * Left out on purpose: `repeat`, `padStart`, `padEnd` (the result size is an argument), `normalize` (up to 18
 * characters per input character under NFKD), `replace`/`replaceAll` (input × replacement), `match`, `matchAll`,
 * `search` (their string argument becomes a RegExp: catastrophic backtracking), the HTML methods (`anchor`, `big`,
 * …: no use), `toString`/`valueOf` (refused everywhere), and every member of booleans, bigints and symbols.
 */
const CONSTANT = 0;
/** A copy or a slice of the input: at most its length, two bytes a character. */
const LINEAR = 2;
/** Case mapping: a character may become three (`ß` → `SS`, `ŉ` → `ʼN`), two bytes each. */
const CASE_MAPPED = 6;
/** One array slot and, at worst, one short string per input character. */
const SPLIT = 32;

const MEMBERS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  string: {
    length: CONSTANT,
    at: CONSTANT,
    charAt: CONSTANT,
    charCodeAt: CONSTANT,
    codePointAt: CONSTANT,
    endsWith: CONSTANT,
    includes: CONSTANT,
    indexOf: CONSTANT,
    isWellFormed: CONSTANT,
    lastIndexOf: CONSTANT,
    localeCompare: CONSTANT,
    startsWith: CONSTANT,
    concat: LINEAR,
    slice: LINEAR,
    substring: LINEAR,
    substr: LINEAR,
    toWellFormed: LINEAR,
    trim: LINEAR,
    trimEnd: LINEAR,
    trimStart: LINEAR,
    toLowerCase: CASE_MAPPED,
    toUpperCase: CASE_MAPPED,
    toLocaleLowerCase: CASE_MAPPED,
    toLocaleUpperCase: CASE_MAPPED,
    split: SPLIT,
  },
  // At most a few hundred characters whatever the digits argument (V8 caps it at 100).
  number: { toExponential: CONSTANT, toFixed: CONSTANT, toLocaleString: CONSTANT, toPrecision: CONSTANT },
};

/**
 * Members of arrays and binary values whose result can be many times the size of everything they were given:
 * `a.concat(a, a, …)` and `a.flat()` over repeated references, `join`/`toLocaleString` with a long separator or
 * over nested arrays, a Buffer's `toJSON` (eight bytes of array per byte). One such call can exhaust the heap
 * between two checks of the memory guard, so they are refused; every other member copies at most what exists.
 */
const AMPLIFYING_MEMBERS = new Set(['concat', 'flat', 'flatMap', 'join', 'toLocaleString', 'toJSON']);

export function assertNotAmplifying(target: unknown, name: string): void {
  if (AMPLIFYING_MEMBERS.has(name) && (Array.isArray(target) || ArrayBuffer.isView(target))) {
    throw new ForbiddenError(`Member ${name} refused on ${Array.isArray(target) ? 'arrays' : 'binary values'}`);
  }
}

export function isPrimitive(value: unknown): boolean {
  return value !== null && typeof value !== 'object' && typeof value !== 'function';
}

/** Refuses a member of a primitive value that is not on the allow-list. */
export function assertPrimitiveMember(target: unknown, name: string): void {
  if (!Object.hasOwn(MEMBERS[typeof target] ?? {}, name)) {
    throw new ForbiddenError(`Member ${name} refused on ${typeof target} values`);
  }
}

/**
 * Bytes a call on a built-in value may allocate at most, for the memory guard to reserve before it runs; 0 for
 * any other receiver (a connector's objects answer for themselves). On a primitive, the arguments must be
 * primitives too: an object argument would be turned into a string by its own `toString` (an array joined,
 * whatever its size), out of the guard's sight. On an array, any member may copy it (`slice`, `toSorted`, `with`…).
 */
export function callCost(receiver: unknown, name: string, args: readonly unknown[]): number {
  if (Array.isArray(receiver)) return (receiver.length + args.length) * POINTER_BYTES;
  if (!isPrimitive(receiver)) return 0;
  let units = typeof receiver === 'string' ? receiver.length : 0;
  for (const arg of args) {
    if (typeof arg === 'string') units += arg.length;
    else if (arg !== null && !isPrimitive(arg)) {
      throw new ForbiddenError(`Arguments of ${name} on a ${typeof receiver} must be strings, numbers or booleans`);
    }
  }
  return units * (MEMBERS[typeof receiver]?.[name] ?? CONSTANT);
}

const POINTER_BYTES = 8;

/** MCD_MAX_PRIMITIVE_RESULT_LENGTH: no string (or array of them) grows past it through primitive methods. */
export function assertPrimitiveResult(receiver: unknown, name: string, result: unknown, limit: number): void {
  const length = typeof result === 'string' || Array.isArray(result) ? result.length : 0;
  if (length > limit) {
    const unit = typeof result === 'string' ? 'characters' : 'elements';
    throw new ResourceExhaustedError(
      `${name} on a ${typeof receiver} returned ${length} ${unit}, over MCD_MAX_PRIMITIVE_RESULT_LENGTH (${limit})`,
    );
  }
}
