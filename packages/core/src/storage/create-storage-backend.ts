import type { AgentConfig, StorageType } from '../config/config';
import { StorageConfigurationError } from '../errors/storage-errors';
import type { FullStorageBackend } from './storage-backend';
import { missingStorageSettings } from './storage-settings';

/** Creates the backend of `type` from the configuration; its SDK is imported here, on first use. */
export async function createStorageBackend(type: StorageType, config: AgentConfig): Promise<FullStorageBackend> {
  const { storage } = config;
  const missing = missingStorageSettings(type, storage);
  if (missing.length > 0) throw new StorageConfigurationError(missing.join('; '));
  const bucketName = storage.bucketName as string;
  switch (type) {
    case 'FILESYSTEM': {
      const { FilesystemStorage } = await import('./filesystem-storage');
      return new FilesystemStorage({
        root: storage.path,
        prefix: storage.prefix,
        publicUrl: storage.publicUrl ?? `http://${hostForUrl(config.listenHost)}:${config.port}`,
        signingSecret: storage.signingSecret,
      });
    }
    case 'S3':
    case 'S3_COMPATIBLE': {
      const { S3Storage } = await import('./s3-storage');
      return S3Storage.create({
        type,
        bucketName,
        prefix: storage.prefix,
        region: storage.region,
        endpointUrl: storage.endpointUrl,
        accessKey: storage.accessKey,
        secretKey: storage.secretKey,
      });
    }
    case 'GCS': {
      const { GcsStorage } = await import('./gcs-storage');
      return GcsStorage.create({ bucketName, prefix: storage.prefix, endpointUrl: storage.endpointUrl });
    }
    case 'AZURE_BLOB': {
      const { AzureBlobStorage } = await import('./azure-blob-storage');
      return AzureBlobStorage.create({
        bucketName,
        accountName: storage.accountName as string,
        prefix: storage.prefix,
        endpointUrl: storage.endpointUrl,
        accountKey: storage.accessKey,
      });
    }
  }
}

/** A listen address as a URL host: 0.0.0.0 / :: are not reachable addresses, IPv6 needs brackets. */
function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
