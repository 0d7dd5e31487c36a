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

const RESERVED_VARIABLES = new Set(['_client', '__utils', '__proto__', 'constructor', 'prototype']);

export function assertMethodName(name: string): void {
  if (!METHOD_NAME.test(name)) throw new ForbiddenError(`Method name refused: ${JSON.stringify(name)}`);
  if (REFUSED_METHODS.has(name)) throw new ForbiddenError(`Method refused: ${name}`);
}

export function assertStoreName(name: string): void {
  if (!STORE_NAME.test(name) || RESERVED_VARIABLES.has(name)) {
    throw new ForbiddenError(`Variable name refused for store: ${JSON.stringify(name)}`);
  }
}
