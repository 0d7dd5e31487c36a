import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Bucket, File, FileMetadata } from '@google-cloud/storage';
import { AgentError, OperationError } from '../errors/agent-errors';
import { ObjectChangedError, StorageNotFoundError, storageErrorForStatus } from '../errors/storage-errors';
import { bytesOf, DigestStream, readStart, sha256Hex } from './object-digest';
import { DEFAULT_CONTENT_TYPE, objectInfo, SHA256_METADATA_KEY, storedMetadata } from './object-metadata';
import {
  DEFAULT_BATCH_SIZE,
  type FullStorageBackend,
  type ListOptions,
  type ListPage,
  type ObjectInfo,
  type OpenedObject,
  type OpenOptions,
  type WriteOptions,
  type WrittenObject,
} from './storage-backend';
import { StorageKeys } from './storage-keys';

export interface GcsStorageOptions {
  readonly bucketName: string;
  readonly prefix: string;
  /** MCD_STORAGE_ENDPOINT_URL: the JSON API endpoint (emulators, Private Service Connect). */
  readonly endpointUrl: string | undefined;
}

/** Objects up to this size go up in one request; longer streams are resumable uploads. */
const ONE_REQUEST_BYTES = 8 * 1024 * 1024;

/**
 * Google Cloud Storage through @google-cloud/storage, loaded on first use. Credentials are Application Default
 * Credentials (the Cloud Run service account; GOOGLE_APPLICATION_CREDENTIALS elsewhere). Pre-signed URLs are V4
 * signed URLs: signed locally with a key file, or through IAM signBlob with the service account of the runtime.
 */
export class GcsStorage implements FullStorageBackend {
  readonly type = 'GCS' as const;
  readonly bucketName: string;
  readonly #keys: StorageKeys;
  readonly #bucket: Bucket;

  static async create(options: GcsStorageOptions): Promise<GcsStorage> {
    const { Storage } = await import('@google-cloud/storage');
    const endpoint = options.endpointUrl;
    const storage = new Storage(
      endpoint
        ? // An emulator on loopback takes no credentials (and must not send the agent looking for a token online).
          { apiEndpoint: endpoint, useAuthWithCustomEndpoint: !isLoopback(endpoint) }
        : {},
    );
    return new GcsStorage(options, storage.bucket(options.bucketName));
  }

  private constructor(options: GcsStorageOptions, bucket: Bucket) {
    this.bucketName = options.bucketName;
    this.#keys = new StorageKeys(options.prefix);
    this.#bucket = bucket;
  }

  /**
   * Up to 8 MiB the object goes up in one request with its SHA-256 in the metadata; GCS computes its own MD5 and
   * CRC32C, and the client compares the MD5 with the one it computed (`validation: 'md5'`). A longer stream is a
   * resumable upload, hashed on the way, whose digest is added to the metadata once it is known (#seal).
   */
  async write(key: string, data: Buffer | string | Readable, options?: WriteOptions): Promise<WrittenObject> {
    const file = this.#bucket.file(this.#keys.toFull(key));
    let bytes: Buffer;
    if (data instanceof Readable) {
      const start = await readStart(data, ONE_REQUEST_BYTES);
      if (start.whole === undefined) return this.#writeStream(key, file, start.stream, options);
      bytes = start.whole;
    } else {
      bytes = bytesOf(data);
    }
    const sha256 = sha256Hex(bytes);
    await this.#call(key, () =>
      file.save(bytes, { resumable: false, validation: 'md5', ...fileMetadata(options, sha256) }),
    );
    return { sha256, size: bytes.length };
  }

  /** A one-request upload with `ifGenerationMatch: 0` (the object must not exist): 412 when it does. */
  async writeIfAbsent(key: string, data: Buffer | string, options?: WriteOptions): Promise<boolean> {
    const file = this.#bucket.file(this.#keys.toFull(key));
    const bytes = bytesOf(data);
    try {
      await file.save(bytes, {
        resumable: false,
        preconditionOpts: { ifGenerationMatch: 0 },
        ...fileMetadata(options, sha256Hex(bytes)),
      });
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === 412) return false;
      throw toStorageError(error, key);
    }
  }

  async head(key: string): Promise<ObjectInfo> {
    const [metadata] = await this.#call(key, () => this.#bucket.file(this.#keys.toFull(key)).getMetadata());
    return infoOf(key, metadata);
  }

  /**
   * The metadata first, then the bytes of exactly that generation: what `info` says is about the bytes streamed. A
   * generation that is gone (the key was overwritten) is a 404, which is ObjectChanged when a version was asked for.
   */
  async open(key: string, options: OpenOptions = {}): Promise<OpenedObject> {
    const name = this.#keys.toFull(key);
    try {
      const pinned =
        options.version === undefined ? undefined : this.#bucket.file(name, { generation: options.version });
      const [metadata] = await (pinned ?? this.#bucket.file(name)).getMetadata();
      const info = infoOf(key, metadata);
      const body = await startReading(this.#bucket.file(name, { generation: info.version }).createReadStream());
      return { body, info };
    } catch (error) {
      if (options.version !== undefined && (error as { code?: unknown }).code === 404) {
        throw new ObjectChangedError(`${key} was replaced while it was being read`, { cause: error });
      }
      throw toStorageError(error, key);
    }
  }

  async #writeStream(key: string, file: File, stream: Readable, options: WriteOptions | undefined) {
    const hashing = new DigestStream();
    await this.#call(key, () =>
      pipeline(
        stream,
        hashing,
        file.createWriteStream({
          resumable: true,
          validation: 'md5',
          contentType: options?.contentType ?? DEFAULT_CONTENT_TYPE,
          metadata: { metadata: { ...(options?.metadata ?? {}) } },
        }),
      ),
    );
    const written = { sha256: hashing.digest.sha256, size: hashing.digest.size };
    await this.#seal(key, file, written.sha256);
    return written;
  }

  /**
   * A resumable upload's metadata is sent before its bytes; the digest is added after, to exactly the generation
   * just uploaded (`ifGenerationMatch`), so a newer object written meanwhile is never labelled with it.
   */
  async #seal(key: string, file: File, sha256: string): Promise<void> {
    const generation = file.metadata.generation;
    await this.#call(key, () =>
      file.setMetadata(
        { metadata: { [SHA256_METADATA_KEY]: sha256 } },
        generation === undefined ? {} : { ifGenerationMatch: generation },
      ),
    );
  }

  async read(key: string): Promise<Readable> {
    return this.#call(key, () => startReading(this.#bucket.file(this.#keys.toFull(key)).createReadStream()));
  }

  async presignedUrl(key: string, expirationSeconds: number): Promise<string> {
    const file = this.#bucket.file(this.#keys.toFull(key));
    return this.#call(key, async () => {
      const [url] = await file.getSignedUrl({
        version: 'v4',
        action: 'read',
        expires: Date.now() + expirationSeconds * 1000,
      });
      return url;
    });
  }

  async delete(key: string): Promise<void> {
    const file = this.#bucket.file(this.#keys.toFull(key));
    await this.#call(key, () => file.delete());
  }

  async list(options: ListOptions = {}): Promise<ListPage> {
    const prefix = this.#keys.toFull(options.prefix, 'prefix');
    const [files, , response] = await this.#call(options.prefix ?? '', () =>
      this.#bucket.getFiles({
        prefix: prefix || undefined,
        maxResults: options.batchSize ?? DEFAULT_BATCH_SIZE,
        pageToken: options.continuationToken || undefined,
        delimiter: options.delimiter || undefined,
        autoPaginate: false,
      }),
    );
    const page = (response ?? {}) as { prefixes?: string[]; nextPageToken?: string };
    return {
      objects: files.map((file) => ({
        key: this.#keys.toRelative(file.name),
        size: Number(file.metadata.size ?? 0),
        etag: file.metadata.etag ?? '',
        lastModified: new Date(file.metadata.updated ?? 0),
        storageClass: file.metadata.storageClass ?? 'STANDARD',
      })),
      prefixes: (page.prefixes ?? []).map((prefix) => this.#keys.toRelative(prefix)),
      pageToken: page.nextPageToken ?? null,
    };
  }

  /**
   * Private when public access prevention is enforced; otherwise public if uniform access is off (object ACLs may
   * grant anyone) or an IAM binding names allUsers / allAuthenticatedUsers.
   */
  async isBucketPrivate(): Promise<boolean> {
    const [metadata] = await this.#call(this.bucketName, () => this.#bucket.getMetadata());
    const iam = metadata.iamConfiguration;
    if (iam?.publicAccessPrevention === 'enforced') return true;
    if (!iam?.uniformBucketLevelAccess?.enabled) return false;
    const [policy] = await this.#call(this.bucketName, () => this.#bucket.iam.getPolicy({ requestedPolicyVersion: 3 }));
    return !(policy.bindings ?? []).some((binding) =>
      (binding.members ?? []).some((member: string) => member === 'allUsers' || member === 'allAuthenticatedUsers'),
    );
  }

  async checkAccess(): Promise<void> {
    await this.#call(this.bucketName, () => this.#bucket.getMetadata());
  }

  async #call<T>(key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toStorageError(error, key);
    }
  }
}

/**
 * The client only requests once somebody reads, and reports a 404 as a stream error: start the request now and wait
 * for its status, so a missing object rejects here rather than cutting a 200 response short.
 */
function startReading(stream: Readable): Promise<Readable> {
  return new Promise<Readable>((resolve, reject) => {
    stream.once('error', reject);
    stream.once('response', (response: IncomingMessage) => {
      if ((response.statusCode ?? 500) < 300) {
        stream.off('error', reject);
        resolve(stream);
      }
    });
    stream.read(0);
  });
}

/** Content type and metadata of an upload: the user's entries and the agent's SHA-256. */
function fileMetadata(options: WriteOptions | undefined, sha256: string) {
  return {
    contentType: options?.contentType ?? DEFAULT_CONTENT_TYPE,
    metadata: { metadata: storedMetadata(options, sha256) },
  };
}

function infoOf(key: string, metadata: FileMetadata): ObjectInfo {
  return objectInfo(key, {
    size: Number(metadata.size ?? 0),
    etag: metadata.etag,
    lastModified: metadata.updated,
    contentType: metadata.contentType,
    metadata: stringEntries(metadata.metadata),
    version: metadata.generation === undefined ? undefined : String(metadata.generation),
  });
}

/** GCS custom metadata values may be null (a deleted entry) or numbers; only strings are metadata here. */
function stringEntries(values: Record<string, unknown> | undefined): Record<string, string> {
  const entries = Object.entries(values ?? {}).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  );
  return Object.fromEntries(entries);
}

function toStorageError(error: unknown, key: string): Error {
  if (error instanceof AgentError) return error;
  const { code, message } = error as { code?: unknown; message?: string };
  if (code === 404) return new StorageNotFoundError(`Object not found: ${key}`, { cause: error });
  return (
    storageErrorForStatus(code, `GCS: ${message ?? key}`, error) ??
    new OperationError(`GCS: ${message ?? String(error)}`, { cause: error })
  );
}

function isLoopback(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
}
