import type { Readable } from 'node:stream';

/**
 * The agent's object storage (SPEC §7): the customer's bucket for the `storage` connection type, and the place large
 * responses and async state are written. Keys are relative to the configured prefix; backends validate them.
 *
 * The storage issue owns this interface and its five backends (S3, S3_COMPATIBLE, GCS, AZURE_BLOB, FILESYSTEM);
 * other modules rely only on the members below.
 */
export interface StorageBackend {
  readonly bucketName: string;
  /** Writes bytes, text or a stream (streamed up: multipart / block / resumable upload). */
  write(key: string, data: Buffer | string | Readable): Promise<void>;
  /** Streams an object; rejects with a NotFound-typed error when it does not exist. */
  read(key: string): Promise<Readable>;
  /** A URL that fetches the object without credentials until it expires. */
  presignedUrl(key: string, expirationSeconds: number): Promise<string>;
}
