import { isDate, isMap, isSet, isUint8Array } from 'node:util/types';
import { type MemoryBudget, UNLIMITED_MEMORY } from '../memory/memory-budget';
import { type EncodedJson, isEncodedJson } from './encoded-json';

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
export function encodeJson(value: unknown, memory: MemoryBudget = UNLIMITED_MEMORY): string {
  const { text, raw } = stringify(value, memory);
  if (!raw) return text;
  // Somebody wants one string (an adapter's JSON body, a log line): the pre-encoded parts are joined in.
  let out = '';
  spliceRaw(
    text,
    raw,
    (part) => {
      out += part;
    },
    (encoded) => {
      out += encoded.toString();
    },
  );
  return out;
}

export function encodeJsonBuffer(value: unknown, memory?: MemoryBudget): Buffer {
  const { chunks, byteLength } = encodeJsonChunks(value, memory);
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, byteLength);
}

/** JSON text as the bytes it is sent as: in chunks, so that pre-encoded parts (EncodedJson) are never copied. */
export interface JsonChunks {
  readonly chunks: Buffer[];
  readonly byteLength: number;
}

/**
 * The encoding of `value` in chunks: the text JSON.stringify makes of it, with the bytes of every EncodedJson inside
 * it spliced in where it sits (a result of a million rows is sent from the chunks it was fetched into).
 */
export function encodeJsonChunks(value: unknown, memory: MemoryBudget = UNLIMITED_MEMORY): JsonChunks {
  const { text, raw } = stringify(value, memory);
  if (!raw) {
    const bytes = Buffer.from(text, 'utf8');
    return { chunks: [bytes], byteLength: bytes.length };
  }
  const chunks: Buffer[] = [];
  let byteLength = 0;
  const push = (chunk: Buffer) => {
    chunks.push(chunk);
    byteLength += chunk.length;
  };
  spliceRaw(
    text,
    raw,
    (part) => push(Buffer.from(part, 'utf8')),
    (encoded) => {
      for (const chunk of encoded.chunks) push(chunk);
    },
  );
  return { chunks, byteLength };
}

function stringify(value: unknown, memory: MemoryBudget): { text: string; raw: RawParts | undefined } {
  // A copy-on-write pass replaces only what JSON cannot express, then native JSON.stringify does the heavy lifting:
  // ~3× faster than a replacer function, which V8 calls for every value (SPEC §11: serialise + gzip ≤ 1.3×).
  // The pass also estimates the size of the text, so that the memory guard can refuse it before JSON.stringify
  // allocates it (a result that repeats one large value a thousand times is small in memory and huge as text).
  const outer = walk;
  walk = { memory, size: 0, visits: 0, raw: undefined };
  try {
    const safe = toJsonSafe(value, '', 0);
    if (walk.size >= SMALL_TEXT) memory.reserve(walk.size * TEXT_BYTES_PER_CHARACTER, ENCODING);
    return { text: JSON.stringify(safe) ?? 'null', raw: walk.raw };
  } finally {
    walk = outer;
  }
}

/**
 * The EncodedJson values met by a pass, each replaced in the copy by a marker string `<prefix><index>`: the prefix
 * holds a random UUID, so no string of the data can be taken for a marker.
 */
interface RawParts {
  readonly prefix: string;
  readonly parts: EncodedJson[];
}

function rawMarker(encoded: EncodedJson): string {
  walk.raw ??= { prefix: `\u0000artemis-encoded-${globalThis.crypto.randomUUID()}-`, parts: [] };
  walk.raw.parts.push(encoded);
  return `${walk.raw.prefix}${walk.raw.parts.length - 1}`;
}

/** Walks `text` from marker to marker: the text between them to `text`, each marker's EncodedJson to `encoded`. */
function spliceRaw(
  text: string,
  raw: RawParts,
  onText: (part: string) => void,
  onEncoded: (encoded: EncodedJson) => void,
): void {
  // A marker appears in the text as JSON.stringify writes the string: in quotes, its NUL escaped.
  const opening = JSON.stringify(raw.prefix).slice(0, -1);
  let at = 0;
  for (;;) {
    const start = text.indexOf(opening, at);
    if (start < 0) break;
    const end = text.indexOf('"', start + opening.length);
    const part = raw.parts[Number(text.slice(start + opening.length, end))] as EncodedJson;
    if (start > at) onText(text.slice(at, start));
    onEncoded(part);
    at = end + 1;
  }
  if (at < text.length) onText(text.slice(at));
}

/**
 * The state of the current encoding pass, module-level so the hot loops pay no extra argument. `size` counts
 * characters of the text to be: string lengths, keys, and a flat allowance for every other value.
 */
let walk: { memory: MemoryBudget; size: number; visits: number; raw: RawParts | undefined } = {
  memory: UNLIMITED_MEMORY,
  size: 0,
  visits: 0,
  raw: undefined,
};
const ENCODING = 'encoding the result';
/** Characters counted for a number, boolean or null, and the punctuation around any value. */
const SCALAR_CHARACTERS = 12;
/**
 * Heap bytes per estimated character: the text itself (two bytes a character once one character needs them) and
 * the copy V8 makes when it flattens the text it built in parts.
 */
const TEXT_BYTES_PER_CHARACTER = 3;
/** Below this many characters the text fits in any guard's margin: not worth asking (the one-command hot path). */
const SMALL_TEXT = 256 * 1024;
/** How often (in containers visited) the pass asks the memory guard about the text so far. */
const VISITS_PER_CHECK = 4096;

/** gzip on the libuv thread pool, so a large body never blocks the event loop (a health check stays fast). */
export async function gzipBuffer(data: Buffer): Promise<Buffer> {
  // node:zlib is imported on first use: it is ~1.6 ms of start-up that a health check never needs.
  const { gzip } = await import('node:zlib');
  return new Promise((resolve, reject) => gzip(data, (error, result) => (error ? reject(error) : resolve(result))));
}

/** gzip of JSON in chunks, streamed through zlib (on the thread pool) without joining the chunks first. */
export async function gzipChunks({ chunks }: JsonChunks): Promise<Buffer> {
  if (chunks.length === 1) return gzipBuffer(chunks[0] as Buffer);
  const { createGzip } = await import('node:zlib');
  const gzip = createGzip();
  const out: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    gzip.once('end', resolve);
    gzip.once('error', reject);
  });
  for (const chunk of chunks) {
    if (!gzip.write(chunk)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await done;
  return Buffer.concat(out);
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

/** Deeper than any JSON the agent accepts (256 levels); reaching it means a cycle. */
const MAX_DEPTH = 1000;

/** Returns `value` itself when nothing inside needs encoding, else a copy with only the changed paths rebuilt. */
function toJsonSafe(value: unknown, key: string, depth: number): unknown {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value : typed('float', String(value));
    case 'bigint':
      return typed('decimal', value.toString());
    case 'undefined':
      return null;
    case 'object':
      break;
    default:
      return value;
  }
  if (value === null) return null;
  if (depth > MAX_DEPTH) throw new TypeError('Converting circular structure to JSON (or nesting deeper than 1000)');
  if (++walk.visits % VISITS_PER_CHECK === 0) walk.memory.reserve(walk.size * TEXT_BYTES_PER_CHARACTER, ENCODING);
  // util.types checks work across realms (vm contexts, jest), where instanceof does not.
  if (isDate(value)) return encodeDate(value);
  if (isUint8Array(value)) {
    walk.size += Math.ceil(value.byteLength / 3) * 4 + SCALAR_CHARACTERS;
    return typed('bytes', Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'));
  }
  if (Array.isArray(value)) return arrayToJsonSafe(value, depth + 1);
  if (isMap(value)) return toJsonSafe(Object.fromEntries(value), key, depth + 1);
  if (isSet(value)) return arrayToJsonSafe(Array.from(value), depth + 1);
  if (isEncodedJson(value)) return rawMarker(value);
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return toJsonSafe(toJSON.call(value, key), key, depth + 1);
  return objectToJsonSafe(value as Record<string, unknown>, depth + 1);
}

/** A value JSON.stringify already writes the way we want; its estimated size is added to the pass. */
function isPlainScalar(value: unknown): boolean {
  if (typeof value === 'string') {
    walk.size += value.length + 3;
    return true;
  }
  if (typeof value === 'boolean' || value === null || Number.isFinite(value)) {
    walk.size += SCALAR_CHARACTERS;
    return true;
  }
  return false;
}

function arrayToJsonSafe(array: readonly unknown[], depth: number): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    // Fast exit for the common primitives, without a call (kept in the copy once there is one).
    if (isPlainScalar(item)) {
      if (copy) copy[i] = item;
      continue;
    }
    const safe = toJsonSafe(item, String(i), depth);
    if (safe !== item && !copy) copy = array.slice(0, i);
    if (copy) copy[i] = safe;
  }
  return copy ?? (array as unknown[]);
}

function objectToJsonSafe(object: Record<string, unknown>, depth: number): Record<string, unknown> {
  let copy: [string, unknown][] | undefined;
  const keys = Object.keys(object);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const item = object[key];
    walk.size += key.length + 3;
    if (isPlainScalar(item)) {
      copy?.push([key, item]);
      continue;
    }
    const safe = toJsonSafe(item, key, depth);
    // Functions and symbols are left for JSON.stringify to drop, as it always does.
    if (safe !== item && !copy) copy = keys.slice(0, i).map((k) => [k, object[k]]);
    copy?.push([key, safe]);
  }
  // fromEntries keeps a "__proto__" key an own property.
  return copy ? Object.fromEntries(copy) : object;
}
