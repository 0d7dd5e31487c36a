import { ForbiddenError } from '../errors/agent-errors';

/** SPEC §3.1: what a remote command may name. */
const METHOD_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const STORE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Names that reach the language's machinery rather than the data source's. */
const REFUSED_METHODS = new Set([
  'constructor',
  'prototype',
  '__proto__',
  'call',
  'apply',
  'bind',
  'eval',
  'toString',
  'valueOf',
  'then',
]);

/**
 * Members of binary values (Buffer, typed arrays, DataView, ArrayBuffer) that reveal the memory around the value:
 * a small Buffer is a window on Node's shared 8 KiB pool, which holds other requests' bytes (issue 9).
 */
const POOL_REVEALING_MEMBERS = new Set(['buffer', 'byteOffset', 'parent', 'offset']);

export function assertBinaryMemberName(name: string): void {
  if (POOL_REVEALING_MEMBERS.has(name)) throw new ForbiddenError(`Member ${name} refused on binary values`);
}

const RESERVED_VARIABLES = new Set(['_client', '__utils', '__proto__', 'constructor', 'prototype']);

/**
 * Only a string is a name: anything else is refused, never coerced (`["constructor"]` would pass the pattern as the
 * text `constructor` and then be looked up as that very key). The request schema already insists on strings; this
 * is the second line, for commands that reach the interpreter some other way.
 */
export function assertMethodName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !METHOD_NAME.test(name)) {
    throw new ForbiddenError(`Method name refused: ${JSON.stringify(name)}`);
  }
  if (REFUSED_METHODS.has(name)) throw new ForbiddenError(`Method refused: ${name}`);
}

export function assertStoreName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !STORE_NAME.test(name) || RESERVED_VARIABLES.has(name)) {
    throw new ForbiddenError(`Variable name refused for store: ${JSON.stringify(name)}`);
  }
}
