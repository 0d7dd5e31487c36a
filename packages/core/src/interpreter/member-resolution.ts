import { isAnyArrayBuffer } from 'node:util/types';
import type { ProxyClient } from '../connectors/proxy-client';
import { ForbiddenError, OperationError } from '../errors/agent-errors';
import { assertNotAmplifying, assertPrimitiveMember, isPrimitive } from './bounded-members';
import { assertBinaryMemberName, assertMethodName } from './name-rules';

/** What a method name resolves to on a target: a function to call on `receiver`, or a plain value. */
export type Member =
  | { readonly kind: 'method'; readonly fn: (...args: unknown[]) => unknown; readonly receiver: unknown }
  | { readonly kind: 'value'; readonly value: unknown };

/**
 * The proxy client's lifecycle hooks (SPEC §3): called by the agent, never by a command, whatever the client is.
 */
const LIFECYCLE_HOOKS = new Set([
  'close',
  'processResult',
  'errorType',
  'errorAttrs',
  'endOperation',
  'resolveExtension',
  'extensions',
  'wrappedClient',
]);

/**
 * SPEC §3 resolution: on the proxy client, first the public members of the object the factory returned (own and
 * inherited: Apollo's "methods of the proxy client class"), lifecycle hooks excepted; then its extensions; then its
 * wrapped driver object. On any other value, that value's own members and those of its prototypes. Lookups stop
 * before Object.prototype and Function.prototype (so `hasOwnProperty`, `__defineGetter__` and friends are never
 * reachable). A function is never a target.
 */
export function resolveMember(target: unknown, name: unknown, client: ProxyClient): Member {
  assertMethodName(name);
  if (target === client) {
    // A driver's own `close` (the DB-API connection's) stays reachable through wrappedClient; the hook never is.
    const own = LIFECYCLE_HOOKS.has(name) || typeof client !== 'object' ? undefined : findMember(client, name);
    if (own) return own;
    const extension = findExtension(client, name);
    if (extension) return extension;
    if (client.wrappedClient !== undefined && client.wrappedClient !== null) {
      const member = findMember(client.wrappedClient, name);
      if (member) return member;
    }
    if (LIFECYCLE_HOOKS.has(name)) throw new ForbiddenError(`Method refused: ${name} is a proxy-client lifecycle hook`);
    throw new OperationError(`Failed to resolve method ${name}`);
  }
  const member = findMember(target, name);
  if (!member) throw new OperationError(`Failed to resolve method ${name} on ${describe(target)}`);
  return member;
}

function findExtension(client: ProxyClient, name: string): Member | undefined {
  const { extensions } = client;
  if (extensions && Object.hasOwn(extensions, name)) return toMember(extensions[name], extensions);
  const dynamic = client.resolveExtension?.(name);
  return dynamic === undefined ? undefined : toMember(dynamic, client);
}

function findMember(target: unknown, name: string): Member | undefined {
  if (typeof target === 'function') throw new ForbiddenError('A function value cannot be a command target');
  if (target === null || target === undefined) {
    throw new OperationError(`Cannot resolve method ${name} on ${String(target)}`);
  }
  if (ArrayBuffer.isView(target) || isAnyArrayBuffer(target)) assertBinaryMemberName(name);
  assertNotAmplifying(target, name);
  // Primitives (strings, numbers) resolve through their wrapper's prototype, as Python resolves str methods, but
  // only the bounded members of an allow-list (primitive-members.ts).
  if (isPrimitive(target)) assertPrimitiveMember(target, name);
  const holder: object = typeof target === 'object' ? target : Object(target);
  for (let owner: object | null = holder; owner !== null; owner = Object.getPrototypeOf(owner)) {
    if (owner === Object.prototype || owner === Function.prototype) return undefined;
    if (Object.hasOwn(owner, name)) return toMember(Reflect.get(owner, name, holder), target);
  }
  return undefined;
}

function toMember(value: unknown, receiver: unknown): Member {
  return typeof value === 'function'
    ? { kind: 'method', fn: value as (...args: unknown[]) => unknown, receiver }
    : { kind: 'value', value };
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof name === 'string' && name ? name : 'object';
}
