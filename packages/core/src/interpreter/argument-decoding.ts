import { OperationError } from '../errors/agent-errors';
import { argumentKind } from '../protocol/call-values';
import { WireKey } from '../protocol/wire-keys';

/**
 * Decodes the special values of SPEC §3 anywhere inside an argument (Deviation: Apollo looked only at the top
 * level): `__reference__`, `__type__` call / bytes / datetime / date / decimal / float. Objects are rebuilt with
 * Object.fromEntries so a `__proto__` key stays an own property and never becomes a prototype.
 */

export interface DecodingScope {
  lookup(name: string): unknown;
  call(command: unknown): Promise<unknown>;
}

export async function decodeValue(value: unknown, scope: DecodingScope): Promise<unknown> {
  return needsDecoding(value) ? decode(value, scope) : value;
}

/** A quick scan, so large plain arguments (executemany rows) are neither copied nor awaited element by element. */
export function needsDecoding(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(needsDecoding);
  if (Object.hasOwn(value, WireKey.reference) || Object.hasOwn(value, WireKey.type)) return true;
  for (const key in value) if (needsDecoding((value as Record<string, unknown>)[key])) return true;
  return false;
}

async function decode(value: unknown, scope: DecodingScope): Promise<unknown> {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    // Sequential on purpose: call arguments may `store`, and later arguments may reference what they stored.
    for (let i = 0; i < value.length; i++) out[i] = await decodeValue(value[i], scope);
    return out;
  }
  const object = value as Record<string, unknown>;
  switch (argumentKind(object)) {
    case 'reference': {
      const name = object[WireKey.reference];
      if (typeof name !== 'string') throw new OperationError('__reference__ must name a variable');
      return scope.lookup(name);
    }
    case 'typed':
      return decodeTyped(object);
    case 'call':
      return scope.call(object);
    case 'plain': {
      // Unknown __type__ tags (e.g. "time") stay objects, as in Apollo; their members are decoded like any other.
      const entries: [string, unknown][] = [];
      for (const [key, item] of Object.entries(object)) entries.push([key, await decodeValue(item, scope)]);
      return Object.fromEntries(entries);
    }
  }
}

function decodeTyped(object: Record<string, unknown>): unknown {
  const type = object[WireKey.type];
  const data = object[WireKey.data];
  switch (type) {
    case 'bytes':
      if (typeof data !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(data)) {
        throw new OperationError('bytes value: __data__ must be a base64 string');
      }
      return unpooledBytes(data);
    case 'datetime':
    case 'date': {
      const date = typeof data === 'string' ? new Date(data) : new Date(Number.NaN);
      if (Number.isNaN(date.getTime())) throw new OperationError(`${type} value: invalid ISO-8601 text in __data__`);
      return date;
    }
    case 'decimal':
      if (typeof data !== 'string' && typeof data !== 'number') {
        throw new OperationError('decimal value: __data__ must be a string');
      }
      return String(data);
    default:
      // 'float', the last of DECODED_TYPES.
      return Number(data);
  }
}

/**
 * `Buffer.from(base64)` of a short text is a window on Node's shared 8 KiB pool, next to other requests' bytes
 * (issue 9). The decoded bytes are copied into memory of their own, so nothing reachable from them is shared.
 */
function unpooledBytes(base64: string): Buffer {
  const pooled = Buffer.from(base64, 'base64');
  if (pooled.byteOffset === 0 && pooled.buffer.byteLength === pooled.length) return pooled;
  const own = Buffer.alloc(pooled.length);
  pooled.copy(own);
  return own;
}
