import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { awsClientConfig } from '../aws/aws-client-config';
import { AgentError, OperationError } from '../errors/agent-errors';
import {
  ChecksumMismatchError,
  ObjectChangedError,
  StorageNotFoundError,
  StoragePermissionsError,
  storageErrorForStatus,
} from '../errors/storage-errors';
import { bytesOf, DigestStream, hexToBase64, readStart, sha256Hex } from './object-digest';
import { DEFAULT_CONTENT_TYPE, objectInfo, storedMetadata } from './object-metadata';
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
  /** Objects larger than this are not sealed by a copy (#seal); S3's CopyObject limit, lowered by tests. */
  readonly maxCopyBytes?: number;
}

/** Multipart part size for streamed writes: memory per upload is about partSize × queueSize (32 MiB). */
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 4;
/** Attempts of a conditional write that S3 answers 409 ConditionalRequestConflict (a concurrent one in flight). */
const CONFLICT_ATTEMPTS = 5;
/** The largest object CopyObject copies in one request (S3's limit). */
const MAX_COPY_BYTES = 5 * 1024 * 1024 * 1024;

/** AWS S3 and S3-compatible services (MinIO, R2, Ceph…) through the AWS SDK v3, loaded on first use. */
export class S3Storage implements FullStorageBackend {
  readonly type: 'S3' | 'S3_COMPATIBLE';
  readonly bucketName: string;
  readonly #keys: StorageKeys;
  readonly #client: S3Client;
  readonly #sdk: typeof import('@aws-sdk/client-s3');
  readonly #maxCopyBytes: number;

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
    this.#maxCopyBytes = options.maxCopyBytes ?? MAX_COPY_BYTES;
  }

  /**
   * Up to one part (8 MiB) the object goes up in one PutObject whose SHA-256 is known before it is sent: S3 checks the
   * bytes against ChecksumSHA256 and stores it, with the hex digest in the metadata. A longer stream goes up in
   * parts while it is hashed, and is then sealed (#seal): its digest is only known once the last part has gone.
   */
  async write(key: string, data: Buffer | string | Readable, options?: WriteOptions): Promise<WrittenObject> {
    const Key = this.#keys.toFull(key);
    let bytes: Buffer;
    if (data instanceof Readable) {
      const start = await readStart(data, PART_SIZE);
      if (start.whole === undefined) return this.#writeStream(key, Key, start.stream, options);
      bytes = start.whole;
    } else {
      bytes = bytesOf(data);
    }
    const sha256 = sha256Hex(bytes);
    await this.#call(key, () =>
      this.#client.send(new this.#sdk.PutObjectCommand(this.#putInput(Key, bytes, sha256, options))),
    );
    return { sha256, size: bytes.length };
  }

  /**
   * PutObject with `If-None-Match: *`: S3 answers 412 when the key exists, and 409 while a concurrent conditional
   * write to the key is in flight (then the question is asked again: one of the writers has won by the time it ends).
   */
  async writeIfAbsent(key: string, data: Buffer | string, options?: WriteOptions): Promise<boolean> {
    const bytes = bytesOf(data);
    const command = new this.#sdk.PutObjectCommand({
      ...this.#putInput(this.#keys.toFull(key), bytes, sha256Hex(bytes), options),
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

  async head(key: string): Promise<ObjectInfo> {
    const Key = this.#keys.toFull(key);
    const output = await this.#call(key, () =>
      this.#client.send(new this.#sdk.HeadObjectCommand({ Bucket: this.bucketName, Key, ChecksumMode: 'ENABLED' })),
    );
    return infoOf(key, output);
  }

  /** GetObject answers the object's metadata with its bytes; `If-Match` pins the version (412 when replaced). */
  async open(key: string, options: OpenOptions = {}): Promise<OpenedObject> {
    const Key = this.#keys.toFull(key);
    try {
      const output = await this.#client.send(
        new this.#sdk.GetObjectCommand({
          Bucket: this.bucketName,
          Key,
          ChecksumMode: 'ENABLED',
          ...(options.version ? { IfMatch: options.version } : {}),
        }),
      );
      return { body: output.Body as Readable, info: infoOf(key, output) };
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 412 && options.version) {
        throw new ObjectChangedError(`${key} was replaced while it was being read`, { cause: error });
      }
      throw toStorageError(error, key);
    }
  }

  #putInput(Key: string, bytes: Buffer, sha256: string, options: WriteOptions | undefined) {
    return {
      Bucket: this.bucketName,
      Key,
      Body: bytes,
      ContentType: options?.contentType ?? DEFAULT_CONTENT_TYPE,
      Metadata: storedMetadata(options, sha256),
      ChecksumSHA256: hexToBase64(sha256),
    };
  }

  async #writeStream(key: string, Key: string, stream: Readable, options: WriteOptions | undefined) {
    const { Upload } = await import('@aws-sdk/lib-storage');
    const hashing = new DigestStream();
    pipeline(stream, hashing).catch(() => undefined); // a failing source fails the upload through `hashing`
    const upload = new Upload({
      client: this.#client,
      params: {
        Bucket: this.bucketName,
        Key,
        Body: hashing,
        ContentType: options?.contentType ?? DEFAULT_CONTENT_TYPE,
        ...(options?.metadata ? { Metadata: { ...options.metadata } } : {}),
      },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    try {
      await this.#call(key, () => upload.done());
    } catch (error) {
      hashing.destroy(); // stop reading the source
      throw error;
    }
    const written = { sha256: hashing.digest.sha256, size: hashing.digest.size };
    await this.#seal(key, Key, written, options);
    return written;
  }

  /**
   * A multipart object's metadata is fixed when the upload starts, before its digest is known, and S3 has no
   * full-object SHA-256 for parts (theirs is a checksum of part checksums). So the object is copied onto itself with
   * its digest in the metadata and ChecksumAlgorithm SHA256: S3 then computes the SHA-256 of the whole object
   * itself, and it must be ours — an end-to-end check that S3 holds the bytes that were sent. CopyObject takes
   * objects up to 5 GiB; a larger one stays unsealed (no recorded digest: `get_metadata` says null, `verify=true`
   * answers ChecksumUnavailable), while a fragment of any size is still verified against its manifest.
   */
  async #seal(key: string, Key: string, written: WrittenObject, options: WriteOptions | undefined): Promise<void> {
    if (written.size > this.#maxCopyBytes) return;
    const Bucket = this.bucketName;
    const output = await this.#call(key, () =>
      this.#client.send(
        new this.#sdk.CopyObjectCommand({
          Bucket,
          Key,
          CopySource: `${Bucket}/${Key.split('/').map(encodeURIComponent).join('/')}`,
          MetadataDirective: 'REPLACE',
          ContentType: options?.contentType ?? DEFAULT_CONTENT_TYPE,
          Metadata: storedMetadata(options, written.sha256),
          ChecksumAlgorithm: 'SHA256',
        }),
      ),
    );
    const computed = fullObjectSha256(output.CopyObjectResult?.ChecksumSHA256, output.CopyObjectResult?.ChecksumType);
    if (computed !== null && computed !== written.sha256) {
      throw new ChecksumMismatchError(
        `S3 holds other bytes than were sent for ${key}: SHA-256 ${computed}, sent ${written.sha256}`,
      );
    }
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

interface S3ObjectHead {
  readonly ContentLength?: number | undefined;
  readonly ETag?: string | undefined;
  readonly LastModified?: Date | undefined;
  readonly ContentType?: string | undefined;
  readonly Metadata?: Record<string, string> | undefined;
  readonly ChecksumSHA256?: string | undefined;
  readonly ChecksumType?: string | undefined;
}

/** The digest the agent recorded in the metadata, else S3's own full-object SHA-256 (an object written elsewhere). */
function infoOf(key: string, head: S3ObjectHead): ObjectInfo {
  return objectInfo(
    key,
    {
      size: head.ContentLength,
      etag: head.ETag,
      lastModified: head.LastModified,
      contentType: head.ContentType,
      metadata: head.Metadata,
      version: head.ETag,
    },
    fullObjectSha256(head.ChecksumSHA256, head.ChecksumType),
  );
}

/** S3's ChecksumSHA256 as hex when it is the digest of the whole object (a composite one ends with "-<parts>"). */
function fullObjectSha256(checksum: string | undefined, type: string | undefined): string | null {
  if (!checksum || type === 'COMPOSITE' || checksum.includes('-')) return null;
  const digest = Buffer.from(checksum, 'base64');
  return digest.length === 32 ? digest.toString('hex') : null;
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
