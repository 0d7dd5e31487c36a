import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StorageType } from '../../../src/config/config';
import { startFakeGcs } from './fake-gcs-server';
import { AZURITE_ACCOUNT, freePort, S3RVER_KEYS, startAzurite, startS3rver } from './storage-emulators';

/** One backend of the contract suite: its emulator, and the environment an agent needs to use it. */
export interface StorageFixture {
  readonly type: StorageType;
  /** Whether the emulator refuses bad credentials (the GCS fake and FILESYSTEM have none to refuse). */
  readonly checksCredentials: boolean;
  /** Whether the emulator can hold a public bucket (s3rver has no ACLs or policies; FILESYSTEM is never public). */
  readonly hasPublicBuckets: boolean;
  start(): Promise<RunningStorage>;
}

export interface RunningStorage {
  readonly env: Record<string, string>;
  /** A scratch directory for the test (MCD_TEMP_FOLDER, sentinel files). */
  readonly scratch: string;
  /** Overrides naming a bucket (or root) that does not exist. */
  readonly missingBucket: Record<string, string>;
  /** Overrides naming a bucket anyone may read, where the emulator has such a thing (s3rver has no ACLs). */
  readonly publicBucket?: Record<string, string>;
  /** Overrides with credentials the service refuses, where the service checks any. */
  readonly wrongCredentials?: Record<string, string>;
  /**
   * Changes the stored bytes of an object (full key, prefix included) behind the agent's back, as bit rot or a
   * stray writer would: same length, first byte flipped, what the service keeps beside it (metadata) untouched.
   */
  corrupt(fullKey: string): Promise<void>;
  stop(): Promise<void>;
}

/** Flips the first byte of a file in place: same file, same length, other bytes. */
async function flipFirstByte(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, 0);
    byte[0] = (byte[0] as number) ^ 0xff;
    await handle.write(byte, 0, 1, 0);
  } finally {
    await handle.close();
  }
}

export const BUCKET = 'artemis-test';

async function scratchDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'artemis-storage-test-'));
}

export const s3Fixture = (type: 'S3' | 'S3_COMPATIBLE'): StorageFixture => ({
  type,
  checksCredentials: true,
  hasPublicBuckets: false,
  async start() {
    const [s3, scratch] = await Promise.all([startS3rver(BUCKET), scratchDir()]);
    return {
      scratch,
      env: {
        MCD_STORAGE: type,
        MCD_STORAGE_BUCKET_NAME: BUCKET,
        MCD_STORAGE_ENDPOINT_URL: s3.url,
        MCD_STORAGE_ACCESS_KEY: S3RVER_KEYS.accessKey,
        MCD_STORAGE_SECRET_KEY: S3RVER_KEYS.secretKey,
        MCD_STORAGE_REGION: 'us-east-1',
      },
      missingBucket: { MCD_STORAGE_BUCKET_NAME: 'no-such-bucket' },
      // s3rver does not verify SigV4 signatures, but it refuses an unknown access key id.
      wrongCredentials: { MCD_STORAGE_ACCESS_KEY: 'UNKNOWN' },
      corrupt: (fullKey) => flipFirstByte(s3.objectFile(BUCKET, fullKey)),
      stop: async () => {
        await s3.stop();
        await rm(scratch, { recursive: true, force: true });
      },
    };
  },
});

export const azureFixture: StorageFixture = {
  type: 'AZURE_BLOB',
  checksCredentials: true,
  hasPublicBuckets: true,
  async start() {
    const [azurite, scratch] = await Promise.all([startAzurite(), scratchDir()]);
    const endpoint = `${azurite.url}/${AZURITE_ACCOUNT.name}`;
    const { BlobServiceClient, StorageSharedKeyCredential } = await import('@azure/storage-blob');
    const credential = new StorageSharedKeyCredential(AZURITE_ACCOUNT.name, AZURITE_ACCOUNT.key);
    const service = new BlobServiceClient(endpoint, credential);
    await service.getContainerClient(BUCKET).create();
    await service.getContainerClient('public-container').create({ access: 'blob' });
    return {
      scratch,
      env: {
        MCD_STORAGE: 'AZURE_BLOB',
        MCD_STORAGE_BUCKET_NAME: BUCKET,
        MCD_STORAGE_ACCOUNT_NAME: AZURITE_ACCOUNT.name,
        MCD_STORAGE_ENDPOINT_URL: endpoint,
        MCD_STORAGE_ACCESS_KEY: AZURITE_ACCOUNT.key,
      },
      missingBucket: { MCD_STORAGE_BUCKET_NAME: 'no-such-container' },
      publicBucket: { MCD_STORAGE_BUCKET_NAME: 'public-container' },
      wrongCredentials: { MCD_STORAGE_ACCESS_KEY: Buffer.from('wrong-key').toString('base64') },
      // Azurite keeps blobs in memory: the blob is rewritten with other bytes and its old properties and metadata.
      corrupt: async (fullKey) => {
        const blob = service.getContainerClient(BUCKET).getBlockBlobClient(fullKey);
        const properties = await blob.getProperties();
        const data = await blob.downloadToBuffer();
        data[0] = (data[0] as number) ^ 0xff;
        await blob.upload(data, data.length, {
          metadata: properties.metadata,
          blobHTTPHeaders: { blobContentType: properties.contentType },
        });
      },
      stop: async () => {
        await azurite.stop();
        await rm(scratch, { recursive: true, force: true });
      },
    };
  },
};

/**
 * GCS: the fake JSON API, and a service-account key file found the standard way (GOOGLE_APPLICATION_CREDENTIALS), so
 * the real client signs V4 URLs locally with it, exactly as with a real key.
 */
export const gcsFixture: StorageFixture = {
  type: 'GCS',
  checksCredentials: false,
  hasPublicBuckets: true,
  async start() {
    const scratch = await scratchDir();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const keyFile = join(scratch, 'service-account.json');
    await writeFile(
      keyFile,
      JSON.stringify({
        type: 'service_account',
        project_id: 'artemis-test',
        private_key_id: 'test-key',
        private_key: pem,
        client_email: 'agent@artemis-test.iam.gserviceaccount.com',
        client_id: '1',
        token_uri: 'http://127.0.0.1:9/token',
      }),
    );
    const previous = process.env.GOOGLE_APPLICATION_CREDENTIALS;
    process.env.GOOGLE_APPLICATION_CREDENTIALS = keyFile;
    const gcs = await startFakeGcs(BUCKET, pem, 'public-bucket');
    return {
      scratch,
      env: { MCD_STORAGE: 'GCS', MCD_STORAGE_BUCKET_NAME: BUCKET, MCD_STORAGE_ENDPOINT_URL: gcs.url },
      missingBucket: { MCD_STORAGE_BUCKET_NAME: 'no-such-bucket' },
      publicBucket: { MCD_STORAGE_BUCKET_NAME: 'public-bucket' },
      // The fake keeps objects in memory: same generation and metadata, other bytes.
      corrupt: async (fullKey) => {
        const object = gcs.objects.get(fullKey);
        if (!object) throw new Error(`no object ${fullKey}`);
        const data = Buffer.from(object.data);
        data[0] = (data[0] as number) ^ 0xff;
        gcs.objects.set(fullKey, { ...object, data });
      },
      stop: async () => {
        await gcs.close();
        if (previous === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
        else process.env.GOOGLE_APPLICATION_CREDENTIALS = previous;
        await rm(scratch, { recursive: true, force: true });
      },
    };
  },
};

/**
 * FILESYSTEM under <scratch>/root/storage, so a key that escaped the root would land in <scratch>/root or
 * <scratch>, where the tests look for it. The agent listens on a port known in advance: the pre-signed URLs use the
 * default base, http://<listen host>:<port>.
 */
export const filesystemFixture: StorageFixture = {
  type: 'FILESYSTEM',
  checksCredentials: false,
  hasPublicBuckets: false,
  async start() {
    const scratch = await scratchDir();
    const root = join(scratch, 'root', 'storage');
    await mkdir(root, { recursive: true });
    return {
      scratch,
      env: { MCD_STORAGE: 'FILESYSTEM', MCD_STORAGE_PATH: root, PORT: String(await freePort()) },
      // A root that cannot exist: a "directory" below a regular file.
      missingBucket: { MCD_STORAGE_PATH: '/dev/null/storage' },
      corrupt: (fullKey) => flipFirstByte(join(root, fullKey)),
      stop: () => rm(scratch, { recursive: true, force: true }),
    };
  },
};

export const allStorageFixtures: readonly StorageFixture[] = [
  s3Fixture('S3'),
  s3Fixture('S3_COMPATIBLE'),
  azureFixture,
  gcsFixture,
  filesystemFixture,
];
