import { Readable } from 'node:stream';
import type { AgentConfig } from '../config/config';
import type { ConnectorModule, ProxyClient } from '../connectors/proxy-client';
import { OperationError } from '../errors/agent-errors';
import { withParameters } from '../interpreter/method-parameters';
import { fragmentOperations } from './fragments/fragment-operations';
import { openUploadFile } from './local-file';
import { writeOptionsOf } from './object-metadata';
import { type FullStorageBackend, isFullStorageBackend } from './storage-backend';
import { decodeText, gunzipIfCompressed, streamToBuffer } from './stream-helpers';
import { readVerified } from './verified-read';

/** SigV4 (S3) and V4 (GCS) signed URLs live at most seven days; one limit for every backend. */
const MAX_URL_SECONDS = 7 * 24 * 3600;
const MAX_BATCH_SIZE = 1000;

/**
 * The `storage` connection type (SPEC §7, apollo-inventory §6.2): the agent's own bucket, whatever the backend,
 * with the operations the control plane sends, by their snake_case names and keyword arguments. Credentials in the
 * request are ignored, as in Apollo: storage is always the agent's own identity.
 *
 * Only these operations are reachable: the backend object itself is not exposed (no `wrappedClient`).
 */
export const storageConnector: ConnectorModule = {
  create: async (_credentials, context) => {
    const storage = await context.storage();
    // Only an embedder's partial stand-in (createAgent({ storage })) can lack them; the built-in backends never do.
    if (!isFullStorageBackend(storage)) {
      throw new OperationError('The storage backend of this agent does not support the storage connection type');
    }
    return storageProxyClient(storage, context.config);
  },
};

export function storageProxyClient(storage: FullStorageBackend, config: AgentConfig): ProxyClient {
  // `verify=true`: checked against the SHA-256 recorded at write time before a byte is answered (verified-read.ts).
  const download = withParameters(['key', 'verify'], (key: unknown, verify: unknown) =>
    asFlag(verify, 'verify') ? readVerified(storage, asKey(key)) : storage.read(asKey(key)),
  );
  return {
    extensions: {
      bucket_name: storage.bucketName,
      write: withParameters(
        ['key', 'obj_to_write', 'metadata', 'content_type'],
        async (key: unknown, data: unknown, metadata: unknown, contentType: unknown) => {
          if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
            throw new OperationError('obj_to_write must be a string or bytes');
          }
          const options = writeOptionsOf(metadata, contentType);
          await storage.write(asKey(key), typeof data === 'string' ? data : Buffer.from(data), options);
          return null;
        },
      ),
      read: withParameters(
        ['key', 'decompress', 'encoding', 'verify'],
        async (key: unknown, decompress = false, encoding = null, verify: unknown = false) => {
          const bytes = asFlag(verify, 'verify')
            ? await readVerified(storage, asKey(key))
            : await storage.read(asKey(key));
          let stream = Buffer.isBuffer(bytes) ? Readable.from([bytes]) : bytes;
          if (decompress === true) stream = await gunzipIfCompressed(stream);
          else if (Buffer.isBuffer(bytes) && (encoding === null || encoding === undefined)) return bytes;
          if (encoding === null || encoding === undefined) return stream;
          if (typeof encoding !== 'string') throw new OperationError('encoding must be a string such as "utf-8"');
          return decodeText(await streamToBuffer(stream), encoding);
        },
      ),
      get_metadata: withParameters(['key'], async (key: unknown) => {
        const info = await storage.head(asKey(key));
        return {
          key: info.key,
          size: info.size,
          etag: info.etag,
          last_modified: info.lastModified,
          content_type: info.contentType,
          metadata: info.metadata,
          sha256: info.sha256,
        };
      }),
      read_json: withParameters(['key'], async (key: unknown) => readJson(storage, asKey(key))),
      read_many_json: withParameters(['prefix'], async (prefix: unknown) => {
        const results = new Map<string, unknown>();
        let token: string | undefined;
        do {
          const page = await storage.list({ prefix: asOptionalString(prefix, 'prefix'), continuationToken: token });
          for (const object of page.objects) {
            if (!object.key.endsWith('/')) results.set(object.key, await readJson(storage, object.key));
          }
          token = page.pageToken ?? undefined;
        } while (token);
        return results;
      }),
      delete: withParameters(['key'], async (key: unknown) => {
        await storage.delete(asKey(key));
        return null;
      }),
      list_objects: withParameters(
        ['prefix', 'batch_size', 'continuation_token', 'delimiter'],
        async (prefix: unknown, batchSize: unknown, continuationToken: unknown, delimiter: unknown) => {
          const page = await storage.list({
            prefix: asOptionalString(prefix, 'prefix'),
            batchSize: asOptionalInteger(batchSize, 'batch_size', MAX_BATCH_SIZE),
            continuationToken: asOptionalString(continuationToken, 'continuation_token'),
            delimiter: asOptionalString(delimiter, 'delimiter'),
          });
          // With a delimiter, Apollo answers the "folders" only; without one, the objects.
          const list = delimiter
            ? page.prefixes.map((common) => ({ Prefix: common }))
            : page.objects.map((object) => ({
                Key: object.key,
                Size: object.size,
                ETag: object.etag,
                LastModified: object.lastModified,
                StorageClass: object.storageClass,
              }));
          return { list, page_token: page.pageToken };
        },
      ),
      generate_presigned_url: withParameters(
        ['key', 'expiration', 'expiration_seconds'],
        async (key: unknown, expiration: unknown, expirationSeconds: unknown) => {
          const seconds = asOptionalInteger(expiration ?? expirationSeconds, 'expiration', MAX_URL_SECONDS);
          if (seconds === undefined) throw new OperationError('expiration (seconds) is required');
          return storage.presignedUrl(asKey(key), seconds);
        },
      ),
      is_bucket_private: withParameters([], () => storage.isBucketPrivate()),
      check_storage_access: withParameters([], async () => {
        await storage.checkAccess();
        return null;
      }),
      // Streamed straight from the bucket to the response (Apollo went through a temp file it never deleted).
      download_file: download,
      managed_download: download,
      upload_file: withParameters(
        ['key', 'local_file_path', 'metadata', 'content_type'],
        async (key: unknown, localFilePath: unknown, metadata: unknown, contentType: unknown) => {
          const fullKey = asKey(key);
          const options = writeOptionsOf(metadata, contentType);
          const file = await openUploadFile(localFilePath, config.tempFolder);
          try {
            await storage.write(fullKey, file.createReadStream({ autoClose: false }), options);
          } finally {
            await file.close();
          }
          return null;
        },
      ),
      ...fragmentOperations(storage, config),
    },
  };
}

async function readJson(storage: FullStorageBackend, key: string): Promise<unknown> {
  const text = (await streamToBuffer(await storage.read(key))).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new OperationError(`Object ${key} is not valid JSON: ${(error as Error).message}`);
  }
}

function asKey(key: unknown): string {
  if (typeof key !== 'string') throw new OperationError('key must be a string');
  return key;
}

function asFlag(value: unknown, name: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new OperationError(`${name} must be true or false`);
  return value;
}

function asOptionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new OperationError(`${name} must be a string`);
  return value;
}

function asOptionalInteger(value: unknown, name: string, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new OperationError(`${name} must be an integer from 1 to ${max}`);
  }
  return value;
}
