import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { S3Storage } from '../../src/storage/s3-storage';
import { type Emulator, S3RVER_KEYS, startS3rver } from './support/storage-emulators';

/*
 * The agent's own bucket behind a TLS-inspecting proxy: the S3 backend trusts the CA bundle that
 * MCD_AWS_CA_BUNDLE_SECRET_NAME installed (named in AWS_CA_BUNDLE), as every other AWS client of the agent does.
 * s3rver serves HTTPS with a certificate only that bundle trusts.
 */
describe('S3 storage and the AWS CA bundle', () => {
  let folder: string;
  let bundle: string;
  let s3: Emulator;

  beforeAll(async () => {
    const tls = selfSignedCertificate();
    folder = mkdtempSync(join(tmpdir(), 'artemis-s3-ca-'));
    bundle = join(folder, 'aws_ca_bundle.pem');
    writeFileSync(bundle, tls.cert);
    writeFileSync(join(folder, 'key.pem'), tls.key);
    s3 = await startS3rver('bucket', { tls: { keyPath: join(folder, 'key.pem'), certPath: bundle } });
  }, 60_000);
  afterAll(async () => {
    await s3?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  const createStorage = () =>
    S3Storage.create({
      type: 'S3_COMPATIBLE',
      bucketName: 'bucket',
      prefix: 'mcd',
      region: 'us-east-1',
      endpointUrl: s3.url,
      ...S3RVER_KEYS,
    });

  it('writes and reads through the bundle named in AWS_CA_BUNDLE', async () => {
    // Prepare
    process.env.AWS_CA_BUNDLE = bundle;
    const storage = await createStorage().finally(() => {
      delete process.env.AWS_CA_BUNDLE;
    });

    // Act
    await storage.write('ca/hello.txt', 'through the proxy');
    const chunks: Buffer[] = [];
    for await (const chunk of await storage.read('ca/hello.txt')) chunks.push(chunk as Buffer);

    // Assess
    expect(Buffer.concat(chunks).toString('utf8')).toBe('through the proxy');
  });

  it('refuses the certificate without it', async () => {
    // Prepare
    const storage = await createStorage();

    // Act
    const failure = await storage.write('ca/refused.txt', 'x').then(
      () => 'written',
      (error: Error) => error.message,
    );

    // Assess
    expect(failure).toMatch(/self[- ]signed certificate/i);
  });
});
