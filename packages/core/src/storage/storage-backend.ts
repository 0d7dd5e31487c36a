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
  /** Writes bytes, text or a stream (streamed up: multipart / block / resumable upload). Overwrites. */
  write(key: string, data: Buffer | string | Readable): Promise<void>;
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
   * Writes an object only if no object has the key yet, atomically: resolves true when this call created it, false
   * when one already existed (S3 `If-None-Match: *`, GCS `ifGenerationMatch: 0`, Azure `If-None-Match: *`,
   * FILESYSTEM `link()`). Two concurrent calls never both resolve true. Async jobs move forward with it.
   */
  writeIfAbsent(key: string, data: Buffer | string): Promise<boolean>;
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
