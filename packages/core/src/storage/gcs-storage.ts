import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Bucket } from '@google-cloud/storage';
import { AgentError, OperationError } from '../errors/agent-errors';
import { StorageNotFoundError, storageErrorForStatus } from '../errors/storage-errors';
import { DEFAULT_BATCH_SIZE, type FullStorageBackend, type ListOptions, type ListPage } from './storage-backend';
import { StorageKeys } from './storage-keys';

export interface GcsStorageOptions {
  readonly bucketName: string;
  readonly prefix: string;
  /** MCD_STORAGE_ENDPOINT_URL: the JSON API endpoint (emulators, Private Service Connect). */
  readonly endpointUrl: string | undefined;
}

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

  async write(key: string, data: Buffer | string | Readable): Promise<void> {
    const file = this.#bucket.file(this.#keys.toFull(key));
    await this.#call(key, async () => {
      if (data instanceof Readable) await pipeline(data, file.createWriteStream({ resumable: true }));
      else await file.save(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, { resumable: false });
    });
  }

  /** A one-request upload with `ifGenerationMatch: 0` (the object must not exist): 412 when it does. */
  async writeIfAbsent(key: string, data: Buffer | string): Promise<boolean> {
    const file = this.#bucket.file(this.#keys.toFull(key));
    try {
      await file.save(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, {
        resumable: false,
        preconditionOpts: { ifGenerationMatch: 0 },
      });
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === 412) return false;
      throw toStorageError(error, key);
    }
  }

  async read(key: string): Promise<Readable> {
    const stream = this.#bucket.file(this.#keys.toFull(key)).createReadStream();
    // The client only requests once somebody reads, and reports a 404 as a stream error: start the request now and
    // wait for its status, so a missing object rejects here rather than cutting a 200 response short.
    return this.#call(
      key,
      () =>
        new Promise<Readable>((resolve, reject) => {
          stream.once('error', reject);
          stream.once('response', (response: IncomingMessage) => {
            if ((response.statusCode ?? 500) < 300) {
              stream.off('error', reject);
              resolve(stream);
            }
          });
          stream.read(0);
        }),
    );
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
