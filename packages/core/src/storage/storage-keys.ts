import { InvalidStorageKeyError } from '../errors/storage-errors';

/*
 * Key rules shared by every backend (SPEC §3.1, §7). A key is relative to the agent's prefix (MCD_STORAGE_PREFIX)
 * and may never name anything outside it: no absolute keys, no `..` segments, no NUL or control characters, and at
 * most 1024 bytes once prefixed (the S3, GCS and Azure limit alike). Checked before any I/O, so a refused key
 * touches nothing.
 */

/** S3 and GCS cap object names at 1024 UTF-8 bytes; Azure allows more, but one limit for all keeps keys portable. */
export const MAX_KEY_BYTES = 1024;

/** Suffix of the FILESYSTEM backend's in-flight temp files, reserved so a key can never collide with one. */
export const TEMP_FILE_SUFFIX = '.artemis-tmp';

/** Suffix of the FILESYSTEM backend's metadata sidecars (content type, metadata, SHA-256), reserved as well. */
export const SIDECAR_SUFFIX = '.artemis-meta';

/** Names that are never objects: listings skip them, keys may not end with them. */
export function isReservedName(name: string): boolean {
  return name.endsWith(TEMP_FILE_SUFFIX) || name.endsWith(SIDECAR_SUFFIX);
}

export type KeyKind = 'key' | 'prefix';

export class StorageKeys {
  /** "" or "mcd/": always ends with a slash when set. */
  readonly prefix: string;

  constructor(prefix: string) {
    const trimmed = prefix.replace(/^\/+|\/+$/g, '');
    if (trimmed) assertSafeKey(trimmed, 'prefix');
    this.prefix = trimmed ? `${trimmed}/` : '';
  }

  /** The full object name for a key the control plane sent; validates it first. */
  toFull(key: unknown, kind: KeyKind = 'key'): string {
    if (kind === 'prefix' && (key === undefined || key === null || key === '')) return this.prefix;
    if (typeof key !== 'string') throw new InvalidStorageKeyError(`Invalid storage ${kind}: expected a string`);
    assertSafeKey(key, kind);
    const full = this.prefix + key;
    const bytes = Buffer.byteLength(full, 'utf8');
    if (bytes > MAX_KEY_BYTES) {
      throw new InvalidStorageKeyError(
        `Invalid storage ${kind} ${show(key)}: ${bytes} bytes with the prefix, the limit is ${MAX_KEY_BYTES}`,
      );
    }
    return full;
  }

  /** The key as the control plane knows it: the prefix stripped (apollo-inventory §6.1). */
  toRelative(full: string): string {
    return this.prefix && full.startsWith(this.prefix) ? full.slice(this.prefix.length) : full;
  }
}

function assertSafeKey(key: string, kind: KeyKind): void {
  if (kind === 'key' && key === '') throw new InvalidStorageKeyError('Invalid storage key: must not be empty');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(key)) {
    throw new InvalidStorageKeyError(`Invalid storage ${kind} ${show(key)}: control characters are not allowed`);
  }
  if (/^[/\\]/.test(key) || /^[A-Za-z]:/.test(key)) {
    throw new InvalidStorageKeyError(`Invalid storage ${kind} ${show(key)}: absolute keys are not allowed`);
  }
  if (key.split(/[/\\]/).some((segment) => segment === '..')) {
    throw new InvalidStorageKeyError(`Invalid storage ${kind} ${show(key)}: '..' segments are not allowed`);
  }
  if (kind === 'key' && isReservedName(key)) {
    const suffix = key.endsWith(TEMP_FILE_SUFFIX) ? TEMP_FILE_SUFFIX : SIDECAR_SUFFIX;
    throw new InvalidStorageKeyError(`Invalid storage key ${show(key)}: the suffix ${suffix} is reserved`);
  }
}

/** A key for an error message: JSON-quoted (control characters visible) and cut short (a 2 KB key stays readable). */
function show(key: string): string {
  return JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key);
}
