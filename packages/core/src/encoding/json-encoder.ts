import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

/**
 * The one encoder for every JSON the agent emits (SPEC §4): inline answers, gzip bodies and offloaded files, so a
 * value looks the same whichever path it takes (Apollo used two encoders and disagreed with itself).
 *
 *   Date → {"__type__":"datetime","__data__":"2024-01-02T03:04:05+00:00"}
 *   Buffer / Uint8Array → {"__type__":"bytes","__data__":<base64>}
 *   bigint → {"__type__":"decimal","__data__":"<digits>"}
 *   NaN / ±Infinity → {"__type__":"float","__data__":"NaN" | "Infinity" | "-Infinity"}
 *   Map → object, Set → array, undefined → null
 */
export function encodeJson(value: unknown): string {
  // JSON.stringify returns undefined only for a top-level undefined/function/symbol, which the replacer maps to null.
  return JSON.stringify(value, replaceSpecialValues) as string;
}

export function encodeJsonBuffer(value: unknown): Buffer {
  return Buffer.from(encodeJson(value), 'utf8');
}

const gzipAsync = promisify(gzip);

/** gzip on the libuv thread pool, so a large body never blocks the event loop (a health check stays fast). */
export function gzipBuffer(data: Buffer): Promise<Buffer> {
  return gzipAsync(data);
}

export function typed(type: string, data: unknown): { __type__: string; __data__: unknown } {
  return { __type__: type, __data__: data };
}

/** A decimal value that must keep its exact digits (numeric columns, money). */
export function decimal(digits: string): { __type__: string; __data__: string } {
  return { __type__: 'decimal', __data__: digits };
}

export function encodeDate(date: Date): { __type__: string; __data__: string | null } {
  const time = date.getTime();
  if (Number.isNaN(time)) return typed('datetime', null) as { __type__: string; __data__: null };
  // Python's isoformat() spells UTC as +00:00 and omits a zero fraction; the control plane parses that form.
  const iso = date.toISOString();
  const text = iso.endsWith('.000Z') ? `${iso.slice(0, -5)}+00:00` : `${iso.slice(0, -1)}+00:00`;
  return { __type__: 'datetime', __data__: text };
}

function replaceSpecialValues(this: Record<string, unknown>, key: string, value: unknown): unknown {
  // `value` has already been through toJSON (Date → string, Buffer → {type,data}); the holder has the original.
  const raw = this[key];
  switch (typeof raw) {
    case 'number':
      return Number.isFinite(raw) ? raw : typed('float', String(raw));
    case 'bigint':
      return typed('decimal', raw.toString());
    case 'undefined':
      return null;
    case 'object':
      if (raw === null) return null;
      if (raw instanceof Date) return encodeDate(raw);
      if (raw instanceof Uint8Array) {
        return typed('bytes', Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64'));
      }
      if (raw instanceof Map) return Object.fromEntries(raw);
      if (raw instanceof Set) return Array.from(raw);
      return value;
    default:
      return value;
  }
}
