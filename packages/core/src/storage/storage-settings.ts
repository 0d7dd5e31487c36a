import type { AgentConfig, StorageType } from '../config/config';

type StorageSettings = AgentConfig['storage'];

/**
 * The variables a backend cannot start without (apollo-inventory §6.1): one message per missing variable, naming it.
 * Checked by loadConfig when MCD_STORAGE is set explicitly (start-up), and again when the backend is created (the
 * platform default, known only to the adapter).
 */
export function missingStorageSettings(type: StorageType, storage: StorageSettings): string[] {
  const required: [string, unknown, string][] = [];
  if (type !== 'FILESYSTEM') required.push(['MCD_STORAGE_BUCKET_NAME', storage.bucketName, 'Bucket not configured']);
  if (type === 'AZURE_BLOB') {
    required.push(['MCD_STORAGE_ACCOUNT_NAME', storage.accountName, 'Storage account not configured']);
  }
  if (type === 'S3_COMPATIBLE') {
    required.push(
      ['MCD_STORAGE_ENDPOINT_URL', storage.endpointUrl, 'Endpoint URL not configured'],
      ['MCD_STORAGE_ACCESS_KEY', storage.accessKey, 'Access key not configured'],
      ['MCD_STORAGE_SECRET_KEY', storage.secretKey, 'Secret key not configured'],
    );
  }
  return required
    .filter(([, value]) => value === undefined)
    .map(([name, , message]) => `${message}, ${name} env var expected (MCD_STORAGE=${type})`);
}
