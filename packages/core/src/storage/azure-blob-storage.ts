import { Readable } from 'node:stream';
import type { BlobServiceClient, ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { AgentError, OperationError } from '../errors/agent-errors';
import { ObjectChangedError, StorageNotFoundError, storageErrorForStatus } from '../errors/storage-errors';
import { uploadBlocks } from './azure-block-upload';
import { bytesOf, md5Of, readStart, sha256Hex } from './object-digest';
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

export interface AzureBlobStorageOptions {
  /** The container. */
  readonly bucketName: string;
  readonly accountName: string;
  readonly prefix: string;
  /** MCD_STORAGE_ENDPOINT_URL: the blob service URL; https://<account>.blob.core.windows.net when unset. */
  readonly endpointUrl: string | undefined;
  /** MCD_STORAGE_ACCESS_KEY: the account key; Entra ID (DefaultAzureCredential, managed identity) when unset. */
  readonly accountKey: string | undefined;
}

/** Block size for streamed writes: memory per upload is about blockSize × concurrency (32 MiB). */
const BLOCK_SIZE = 8 * 1024 * 1024;
const CONCURRENCY = 4;

/**
 * Azure Blob Storage through @azure/storage-blob, loaded on first use. Pre-signed URLs are SAS URLs: signed with the
 * account key when one is configured, else user-delegation SAS obtained with the agent's Entra ID identity.
 */
export class AzureBlobStorage implements FullStorageBackend {
  readonly type = 'AZURE_BLOB' as const;
  readonly bucketName: string;
  readonly #keys: StorageKeys;
  readonly #service: BlobServiceClient;
  readonly #container: ContainerClient;
  readonly #sharedKey: StorageSharedKeyCredential | undefined;
  readonly #sdk: typeof import('@azure/storage-blob');

  static async create(options: AzureBlobStorageOptions): Promise<AzureBlobStorage> {
    const sdk = await import('@azure/storage-blob');
    const url = options.endpointUrl ?? `https://${options.accountName}.blob.core.windows.net`;
    let sharedKey: StorageSharedKeyCredential | undefined;
    let service: BlobServiceClient;
    if (options.accountKey) {
      sharedKey = new sdk.StorageSharedKeyCredential(options.accountName, options.accountKey);
      service = new sdk.BlobServiceClient(url, sharedKey);
    } else {
      const { DefaultAzureCredential } = await import('@azure/identity');
      // The Function's managed identity in Azure; developer credentials (az login…) elsewhere.
      service = new sdk.BlobServiceClient(url, new DefaultAzureCredential());
    }
    return new AzureBlobStorage(options, service, sharedKey, sdk);
  }

  private constructor(
    options: AzureBlobStorageOptions,
    service: BlobServiceClient,
    sharedKey: StorageSharedKeyCredential | undefined,
    sdk: typeof import('@azure/storage-blob'),
  ) {
    this.bucketName = options.bucketName;
    this.#keys = new StorageKeys(options.prefix);
    this.#service = service;
    this.#container = service.getContainerClient(options.bucketName);
    this.#sharedKey = sharedKey;
    this.#sdk = sdk;
  }

  /**
   * Up to one block (8 MiB) the blob goes up in one Put Blob with its MD5 (checked by Azure, kept as Content-MD5) and
   * its SHA-256 in the metadata; a longer stream is staged block by block and committed with both (azure-block-upload).
   */
  async write(key: string, data: Buffer | string | Readable, options?: WriteOptions): Promise<WrittenObject> {
    const blob = this.#container.getBlockBlobClient(this.#keys.toFull(key));
    let bytes: Buffer;
    if (data instanceof Readable) {
      const start = await readStart(data, BLOCK_SIZE);
      if (start.whole === undefined) {
        const stream = start.stream;
        return this.#call(key, () =>
          uploadBlocks(blob, stream, {
            blockSize: BLOCK_SIZE,
            concurrency: CONCURRENCY,
            headers: { blobContentType: options?.contentType ?? DEFAULT_CONTENT_TYPE },
            metadata: (sha256) => storedMetadata(options, sha256),
          }),
        );
      }
      bytes = start.whole;
    } else {
      bytes = bytesOf(data);
    }
    const sha256 = sha256Hex(bytes);
    await this.#call(key, () => blob.upload(bytes, bytes.length, uploadOptions(bytes, sha256, options)));
    return { sha256, size: bytes.length };
  }

  /** Put Blob with `If-None-Match: *`: 409 BlobAlreadyExists (or 412) when the blob exists. */
  async writeIfAbsent(key: string, data: Buffer | string, options?: WriteOptions): Promise<boolean> {
    const blob = this.#container.getBlockBlobClient(this.#keys.toFull(key));
    const bytes = bytesOf(data);
    try {
      await blob.upload(bytes, bytes.length, {
        ...uploadOptions(bytes, sha256Hex(bytes), options),
        conditions: { ifNoneMatch: '*' },
      });
      return true;
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 409 || status === 412) return false;
      throw toStorageError(error, key);
    }
  }

  async read(key: string): Promise<Readable> {
    const blob = this.#container.getBlobClient(this.#keys.toFull(key));
    const response = await this.#call(key, () => blob.download());
    return response.readableStreamBody as Readable;
  }

  async head(key: string): Promise<ObjectInfo> {
    const blob = this.#container.getBlobClient(this.#keys.toFull(key));
    return infoOf(key, await this.#call(key, () => blob.getProperties()));
  }

  /** A download answers the blob's properties and metadata with its bytes; `If-Match` pins the version. */
  async open(key: string, options: OpenOptions = {}): Promise<OpenedObject> {
    const blob = this.#container.getBlobClient(this.#keys.toFull(key));
    try {
      const response = await blob.download(
        0,
        undefined,
        options.version ? { conditions: { ifMatch: options.version } } : {},
      );
      return { body: response.readableStreamBody as Readable, info: infoOf(key, response) };
    } catch (error) {
      if (options.version && (error as { statusCode?: number }).statusCode === 412) {
        throw new ObjectChangedError(`${key} was replaced while it was being read`, { cause: error });
      }
      throw toStorageError(error, key);
    }
  }

  async presignedUrl(key: string, expirationSeconds: number): Promise<string> {
    const name = this.#keys.toFull(key);
    const blob = this.#container.getBlobClient(name);
    const expiresOn = new Date(Date.now() + expirationSeconds * 1000);
    // A little slack before "now": the SAS start time is checked against the storage service's clock.
    const startsOn = new Date(Date.now() - 5 * 60 * 1000);
    const permissions = this.#sdk.BlobSASPermissions.parse('r');
    return this.#call(key, async () => {
      if (this.#sharedKey) return blob.generateSasUrl({ permissions, startsOn, expiresOn });
      const delegationKey = await this.#service.getUserDelegationKey(startsOn, expiresOn);
      const sas = this.#sdk.generateBlobSASQueryParameters(
        { containerName: this.bucketName, blobName: name, permissions, startsOn, expiresOn },
        delegationKey,
        this.#service.accountName,
      );
      return `${blob.url}?${sas.toString()}`;
    });
  }

  async delete(key: string): Promise<void> {
    const blob = this.#container.getBlobClient(this.#keys.toFull(key));
    await this.#call(key, () => blob.delete());
  }

  async list(options: ListOptions = {}): Promise<ListPage> {
    const prefix = this.#keys.toFull(options.prefix, 'prefix') || undefined;
    const pageOptions = {
      maxPageSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
      continuationToken: options.continuationToken || undefined,
    };
    const result = await this.#call(options.prefix ?? '', async () => {
      const pages = options.delimiter
        ? this.#container.listBlobsByHierarchy(options.delimiter, { prefix }).byPage(pageOptions)
        : this.#container.listBlobsFlat({ prefix }).byPage(pageOptions);
      return (await pages.next()).value;
    });
    const segment = result?.segment as { blobItems?: BlobItemLike[]; blobPrefixes?: { name: string }[] } | undefined;
    return {
      objects: (segment?.blobItems ?? []).map((item) => ({
        key: this.#keys.toRelative(item.name),
        size: item.properties.contentLength ?? 0,
        etag: item.properties.etag ?? '',
        lastModified: new Date(item.properties.lastModified.getTime()),
        storageClass: item.properties.accessTier ?? 'Hot',
      })),
      prefixes: (segment?.blobPrefixes ?? []).map((common) => this.#keys.toRelative(common.name)),
      pageToken: result?.continuationToken || null,
    };
  }

  /** Private when the container allows no anonymous access (its public access level is unset). */
  async isBucketPrivate(): Promise<boolean> {
    const policy = await this.#call(this.bucketName, () => this.#container.getAccessPolicy());
    return policy.blobPublicAccess === undefined;
  }

  async checkAccess(): Promise<void> {
    await this.#call(this.bucketName, () => this.#container.getProperties());
  }

  async #call<T>(key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toStorageError(error, key);
    }
  }
}

function uploadOptions(bytes: Buffer, sha256: string, options: WriteOptions | undefined) {
  const md5 = md5Of(bytes);
  return {
    transactionalContentMD5: md5,
    blobHTTPHeaders: { blobContentType: options?.contentType ?? DEFAULT_CONTENT_TYPE, blobContentMD5: md5 },
    metadata: storedMetadata(options, sha256),
  };
}

interface BlobHead {
  readonly contentLength?: number | undefined;
  readonly etag?: string | undefined;
  readonly lastModified?: Date | undefined;
  readonly contentType?: string | undefined;
  readonly metadata?: Record<string, string> | undefined;
}

function infoOf(key: string, head: BlobHead): ObjectInfo {
  return objectInfo(key, {
    size: head.contentLength,
    etag: head.etag,
    lastModified: head.lastModified,
    contentType: head.contentType,
    metadata: head.metadata,
    version: head.etag,
  });
}

interface BlobItemLike {
  readonly name: string;
  readonly properties: {
    readonly contentLength?: number;
    readonly etag?: string;
    readonly lastModified: Date;
    readonly accessTier?: string;
  };
}

function toStorageError(error: unknown, key: string): Error {
  if (error instanceof AgentError) return error;
  const { statusCode, code, message } = error as { statusCode?: number; code?: string; message?: string };
  if (statusCode === 404) return new StorageNotFoundError(`${code ?? 'NotFound'}: ${key}`, { cause: error });
  const summary = `Azure Blob ${code ?? 'error'}: ${(message ?? String(error)).split('\n')[0]}`;
  return storageErrorForStatus(statusCode, summary, error) ?? new OperationError(summary, { cause: error });
}
