import type { Readable } from 'node:stream';
import type { StorageType } from '../config/config';

/**
 * The agent's object storage (SPEC §7): the customer's bucket for the `storage` connection type, and the place large
 * responses and async state are written. Keys are relative to the configured prefix (MCD_STORAGE_PREFIX); every
 * backend validates them (storage-keys.ts) before any I/O and strips the prefix from the keys it returns.
 *
 * This is the seam the rest of the agent relies on (response offload, async state, connectors that write to
 * storage), small enough for a test double. The five built-in backends implement FullStorageBackend below.
 */
export interface StorageBackend {
  readonly bucketName: string;
  /**
   * Writes bytes, text or a stream (streamed up: multipart / block / resumable upload). Overwrites. What it resolves
   * is the backend's business (the full backends: the SHA-256 and size written); the seam only needs completion.
   */
  write(key: string, data: Buffer | string | Readable): Promise<unknown>;
  /** Streams an object; rejects with a NotFound-typed error when it does not exist. */
  read(key: string): Promise<Readable>;
  /** A URL that fetches the object without credentials until it expires. */
  presignedUrl(key: string, expirationSeconds: number): Promise<string>;
}

/**
 * Everything the `storage` connection type needs. Failures are StorageNotFoundError / StoragePermissionsError /
 * InvalidStorageKeyError (errors/storage-errors.ts) on every backend, never a cloud SDK's own error classes.
 */
export interface FullStorageBackend extends StorageBackend {
  readonly type: StorageType;
  /**
   * Writes bytes, text or a stream with its content type and metadata, computing the SHA-256 of the bytes while
   * they stream, and stores it with the object (object-integrity.md): resolves the digest and the size written.
   */
  write(key: string, data: Buffer | string | Readable, options?: WriteOptions): Promise<WrittenObject>;
  /**
   * Writes an object only if no object has the key yet, atomically: resolves true when this call created it, false
   * when one already existed (S3 `If-None-Match: *`, GCS `ifGenerationMatch: 0`, Azure `If-None-Match: *`,
   * FILESYSTEM `link()`). Two concurrent calls never both resolve true. Async jobs move forward with it.
   */
  writeIfAbsent(key: string, data: Buffer | string, options?: WriteOptions): Promise<boolean>;
  /** What is known about an object without reading it: size, version, content type, metadata, SHA-256. */
  head(key: string): Promise<ObjectInfo>;
  /**
   * Streams an object together with what `head` says about that very version of it (one request where the
   * service answers both). With `version`, only that version: ObjectChangedError when the key now holds another.
   */
  open(key: string, options?: OpenOptions): Promise<OpenedObject>;
  /** Deletes an object; NotFound when it does not exist (on every backend, S3 included). */
  delete(key: string): Promise<void>;
  /** One page of a listing, in key order. With a delimiter the page holds the common prefixes only. */
  list(options?: ListOptions): Promise<ListPage>;
  /** True when nothing in the bucket can be read anonymously. */
  isBucketPrivate(): Promise<boolean>;
  /** Resolves when the bucket is reachable with the agent's identity; NotFound / Permissions otherwise. */
  checkAccess(): Promise<void>;
}

export function isFullStorageBackend(storage: StorageBackend): storage is FullStorageBackend {
  const candidate = storage as Partial<FullStorageBackend>;
  return (
    typeof candidate.delete === 'function' &&
    typeof candidate.writeIfAbsent === 'function' &&
    typeof candidate.head === 'function' &&
    typeof candidate.open === 'function' &&
    typeof candidate.list === 'function' &&
    typeof candidate.isBucketPrivate === 'function' &&
    typeof candidate.checkAccess === 'function'
  );
}

export interface ListOptions {
  /** Relative to the storage prefix; undefined or "" lists everything under it. */
  readonly prefix?: string | undefined;
  /** Page size; 1000 when undefined. */
  readonly batchSize?: number | undefined;
  /** `pageToken` of the previous page. */
  readonly continuationToken?: string | undefined;
  readonly delimiter?: string | undefined;
}

export interface StoredObject {
  /** Relative key (prefix stripped). */
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: Date;
  readonly storageClass: string;
}

export interface ListPage {
  readonly objects: readonly StoredObject[];
  /** Common prefixes (relative, ending with the delimiter) when a delimiter was given. */
  readonly prefixes: readonly string[];
  readonly pageToken: string | null;
}

export const DEFAULT_BATCH_SIZE = 1000;

export interface WriteOptions {
  /** User metadata (object-metadata.ts checks it): lower-case names, printable ASCII values, 2 KiB in all. */
  readonly metadata?: Readonly<Record<string, string>> | undefined;
  /** `application/octet-stream` when unset. */
  readonly contentType?: string | undefined;
}

export interface WrittenObject {
  /** Lower-case hex SHA-256 of the bytes written, computed while they streamed. */
  readonly sha256: string;
  readonly size: number;
}

export interface ObjectInfo {
  /** Relative key (prefix stripped). */
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: Date;
  readonly contentType: string;
  /** User metadata only: the agent's own entries (its SHA-256) are not in it. */
  readonly metadata: Readonly<Record<string, string>>;
  /** The SHA-256 recorded with the object (hex); null when it has none (written by something else, or unsealed). */
  readonly sha256: string | null;
  /** Identifies this version of the object for `open({ version })`: S3/Azure ETag, GCS generation, a file's identity. */
  readonly version: string;
}

export interface OpenOptions {
  readonly version?: string | undefined;
}

export interface OpenedObject {
  readonly body: Readable;
  readonly info: ObjectInfo;
}
