import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { awsClientConfig } from '../aws/aws-client-config';
import { AgentError, OperationError } from '../errors/agent-errors';
import { StorageNotFoundError, StoragePermissionsError, storageErrorForStatus } from '../errors/storage-errors';
import { DEFAULT_BATCH_SIZE, type FullStorageBackend, type ListOptions, type ListPage } from './storage-backend';
import { StorageKeys } from './storage-keys';

export interface S3StorageOptions {
  readonly type: 'S3' | 'S3_COMPATIBLE';
  readonly bucketName: string;
  readonly prefix: string;
  readonly region: string | undefined;
  /** MCD_STORAGE_ENDPOINT_URL: required for S3_COMPATIBLE, optional for S3 (VPC endpoints, local emulators). */
  readonly endpointUrl: string | undefined;
  /** Static keys (S3_COMPATIBLE); S3 uses the default provider chain (Lambda role, env, profile) when unset. */
  readonly accessKey: string | undefined;
  readonly secretKey: string | undefined;
}

/** Multipart part size for streamed writes: memory per upload is about partSize × queueSize (32 MiB). */
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 4;
/** Attempts of a conditional write that S3 answers 409 ConditionalRequestConflict (a concurrent one in flight). */
const CONFLICT_ATTEMPTS = 5;

/** AWS S3 and S3-compatible services (MinIO, R2, Ceph…) through the AWS SDK v3, loaded on first use. */
export class S3Storage implements FullStorageBackend {
  readonly type: 'S3' | 'S3_COMPATIBLE';
  readonly bucketName: string;
  readonly #keys: StorageKeys;
  readonly #client: S3Client;
  readonly #sdk: typeof import('@aws-sdk/client-s3');

  static async create(options: S3StorageOptions): Promise<S3Storage> {
    const sdk = await import('@aws-sdk/client-s3');
    const custom = options.endpointUrl !== undefined;
    // The agent's one AWS base configuration: its CA bundle and region rules, as every other AWS client of the agent.
    const base = await awsClientConfig({
      region: options.region,
      fallbackRegion: 'us-east-1',
      credentials:
        options.accessKey && options.secretKey
          ? { accessKeyId: options.accessKey, secretAccessKey: options.secretKey }
          : undefined,
    });
    const client = new sdk.S3Client({
      ...base,
      ...(custom ? { endpoint: options.endpointUrl, forcePathStyle: true } : { followRegionRedirects: true }),
      // S3-compatible services and emulators do not all understand the SDK's default CRC32 trailers.
      ...(custom ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
    });
    return new S3Storage(options, client, sdk);
  }

  private constructor(options: S3StorageOptions, client: S3Client, sdk: typeof import('@aws-sdk/client-s3')) {
    this.type = options.type;
    this.bucketName = options.bucketName;
    this.#keys = new StorageKeys(options.prefix);
    this.#client = client;
    this.#sdk = sdk;
  }

  async write(key: string, data: Buffer | string | Readable): Promise<void> {
    const Key = this.#keys.toFull(key);
    const Bucket = this.bucketName;
    if (typeof data === 'string' || Buffer.isBuffer(data)) {
      await this.#call(key, () => this.#client.send(new this.#sdk.PutObjectCommand({ Bucket, Key, Body: data })));
      return;
    }
    const { Upload } = await import('@aws-sdk/lib-storage');
    const upload = new Upload({
      client: this.#client,
      params: { Bucket, Key, Body: data },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    await this.#call(key, () => upload.done());
  }

  /**
   * PutObject with `If-None-Match: *`: S3 answers 412 when the key exists, and 409 while a concurrent conditional
   * write to the key is in flight (then the question is asked again: one of the writers has won by the time it ends).
   */
  async writeIfAbsent(key: string, data: Buffer | string): Promise<boolean> {
    const command = new this.#sdk.PutObjectCommand({
      Bucket: this.bucketName,
      Key: this.#keys.toFull(key),
      Body: data,
      IfNoneMatch: '*',
    });
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#client.send(command);
        return true;
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 412) return false;
        if (status !== 409 || attempt >= CONFLICT_ATTEMPTS) throw toStorageError(error, key);
      }
    }
  }

  async read(key: string): Promise<Readable> {
    const Key = this.#keys.toFull(key);
    const output = await this.#call(key, () =>
      this.#client.send(new this.#sdk.GetObjectCommand({ Bucket: this.bucketName, Key })),
    );
    // In Node the SDK's body is the HTTP response itself: an IncomingMessage, i.e. a Readable.
    return output.Body as Readable;
  }

  async presignedUrl(key: string, expirationSeconds: number): Promise<string> {
    const Key = this.#keys.toFull(key);
    const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
    return this.#call(key, () =>
      getSignedUrl(this.#client, new this.#sdk.GetObjectCommand({ Bucket: this.bucketName, Key }), {
        expiresIn: expirationSeconds,
      }),
    );
  }

  async delete(key: string): Promise<void> {
    const Key = this.#keys.toFull(key);
    const Bucket = this.bucketName;
    // S3 deletes a missing key without complaint; a HEAD first gives NotFound as on every other backend.
    await this.#call(key, () => this.#client.send(new this.#sdk.HeadObjectCommand({ Bucket, Key })));
    await this.#call(key, () => this.#client.send(new this.#sdk.DeleteObjectCommand({ Bucket, Key })));
  }

  async list(options: ListOptions = {}): Promise<ListPage> {
    const prefix = this.#keys.toFull(options.prefix, 'prefix');
    const output = await this.#call(options.prefix ?? '', () =>
      this.#client.send(
        new this.#sdk.ListObjectsV2Command({
          Bucket: this.bucketName,
          Prefix: prefix || undefined,
          MaxKeys: options.batchSize ?? DEFAULT_BATCH_SIZE,
          ContinuationToken: options.continuationToken || undefined,
          Delimiter: options.delimiter || undefined,
        }),
      ),
    );
    return {
      objects: (output.Contents ?? []).map((object) => ({
        key: this.#keys.toRelative(object.Key ?? ''),
        size: object.Size ?? 0,
        etag: object.ETag ?? '',
        lastModified: new Date(object.LastModified?.getTime() ?? 0),
        storageClass: object.StorageClass ?? 'STANDARD',
      })),
      prefixes: (output.CommonPrefixes ?? []).map((common) => this.#keys.toRelative(common.Prefix ?? '')),
      pageToken: output.IsTruncated ? (output.NextContinuationToken ?? null) : null,
    };
  }

  /**
   * Apollo's rule: private when the bucket's public access block blocks everything; otherwise public if its policy
   * status or its ACL says so. S3-compatible services have none of these controls: always private.
   */
  async isBucketPrivate(): Promise<boolean> {
    await this.checkAccess();
    if (this.type === 'S3_COMPATIBLE') return true;
    const Bucket = this.bucketName;
    const block = await this.#optional(() => this.#client.send(new this.#sdk.GetPublicAccessBlockCommand({ Bucket })));
    const config = block?.PublicAccessBlockConfiguration;
    if (
      config?.BlockPublicAcls &&
      config.IgnorePublicAcls &&
      config.BlockPublicPolicy &&
      config.RestrictPublicBuckets
    ) {
      return true;
    }
    const status = await this.#optional(() =>
      this.#client.send(new this.#sdk.GetBucketPolicyStatusCommand({ Bucket })),
    );
    if (status?.PolicyStatus?.IsPublic) return false;
    const acl = await this.#optional(() => this.#client.send(new this.#sdk.GetBucketAclCommand({ Bucket })));
    const publicGroups = /\/global\/(AllUsers|AuthenticatedUsers)$/;
    return !(acl?.Grants ?? []).some((grant) => publicGroups.test(grant.Grantee?.URI ?? ''));
  }

  async checkAccess(): Promise<void> {
    await this.#call(this.bucketName, () =>
      this.#client.send(new this.#sdk.HeadBucketCommand({ Bucket: this.bucketName })),
    );
  }

  /**
   * A bucket setting that may simply not exist (no public access block, no policy: 404) or that the service does
   * not implement (501). Anything else fails the check: an unknown answer must never read as "private".
   */
  async #optional<T>(fetch: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fetch();
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404 || status === 501) return undefined;
      throw toStorageError(error, this.bucketName);
    }
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
  const { name, message } = error as Error;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchBucket') {
    return new StorageNotFoundError(`${name}: ${key}`, { cause: error });
  }
  if (name === 'AccessDenied' || name === 'Forbidden') {
    return new StoragePermissionsError(`${name}: ${key}`, { cause: error });
  }
  return (
    storageErrorForStatus(status, `${name}: ${message || key}`, error) ??
    new OperationError(`S3 ${name}: ${message}`, { cause: error })
  );
}
