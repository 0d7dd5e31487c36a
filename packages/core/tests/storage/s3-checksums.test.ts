import { createHash, randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/config';
import { FragmentSets } from '../../src/storage/fragments/fragment-sets';
import { S3Storage } from '../../src/storage/s3-storage';
import { streamToBuffer } from '../../src/storage/stream-helpers';
import { readVerified } from '../../src/storage/verified-read';
import { S3RVER_KEYS, type S3rver, startS3rver } from './support/storage-emulators';

/*
 * What S3 itself adds that s3rver does not have: a SHA-256 of its own. s3rver ignores x-amz-checksum-* headers and
 * answers none, so an HTTP proxy in front of it plays S3's part where these tests need it: a CopyObject result
 * carrying S3's ChecksumSHA256, a HEAD answering one. And the limit of sealing by a copy (5 GiB), lowered here.
 */

const LARGE = 9 * 1024 * 1024;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();

let s3: S3rver;
let proxy: Server;
let proxyUrl: string;
/** What the proxy adds to S3's answers, per test. */
let answer: { copyChecksum?: Buffer; headChecksum?: Buffer } = {};

beforeAll(async () => {
  s3 = await startS3rver('bucket');
  const upstream = new URL(s3.url);
  proxy = createServer((req, res) => {
    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      async (reply) => {
        const headers = { ...reply.headers };
        const isCopy = req.method === 'PUT' && req.headers['x-amz-copy-source'] !== undefined;
        if (req.method === 'HEAD' && answer.headChecksum) {
          headers['x-amz-checksum-sha256'] = answer.headChecksum.toString('base64');
          headers['x-amz-checksum-type'] = 'FULL_OBJECT';
        }
        if (!isCopy || !answer.copyChecksum) {
          res.writeHead(reply.statusCode ?? 500, headers);
          reply.pipe(res);
          return;
        }
        const xml = (await streamToBuffer(reply))
          .toString('utf8')
          .replace(
            '</CopyObjectResult>',
            `<ChecksumSHA256>${answer.copyChecksum.toString('base64')}</ChecksumSHA256><ChecksumType>FULL_OBJECT</ChecksumType></CopyObjectResult>`,
          );
        delete headers['content-length'];
        res.writeHead(reply.statusCode ?? 500, headers);
        res.end(xml);
      },
    );
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterEach(() => {
  answer = {};
});

afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
  await s3.stop();
});

function storage(maxCopyBytes?: number) {
  return S3Storage.create({
    type: 'S3_COMPATIBLE',
    bucketName: 'bucket',
    prefix: 'mcd',
    region: 'us-east-1',
    endpointUrl: proxyUrl,
    accessKey: S3RVER_KEYS.accessKey,
    secretKey: S3RVER_KEYS.secretKey,
    ...(maxCopyBytes === undefined ? {} : { maxCopyBytes }),
  });
}

describe('S3 sealing of streamed writes', () => {
  it('accepts the copy when S3’s own SHA-256 of the object is the one computed while streaming', async () => {
    // Prepare
    const data = randomBytes(LARGE);
    answer = { copyChecksum: sha256(data) };
    const s3Storage = await storage();

    // Act
    const written = await s3Storage.write('sealed.bin', Readable.from([data]));
    const info = await s3Storage.head('sealed.bin');

    // Assess
    expect(written).toEqual({ sha256: sha256(data).toString('hex'), size: LARGE });
    expect(info.sha256).toBe(sha256(data).toString('hex'));
  });

  it('fails the write when S3 computed another SHA-256 than the bytes sent: it holds other bytes', async () => {
    // Prepare
    const data = randomBytes(LARGE);
    const other = sha256(Buffer.from('something else'));
    answer = { copyChecksum: other };
    const s3Storage = await storage();

    // Act
    const write = s3Storage.write('garbled.bin', Readable.from([data]));

    // Assess
    await expect(write).rejects.toMatchObject({
      name: 'ChecksumMismatchError',
      errorType: 'ChecksumMismatch',
      message: `S3 holds other bytes than were sent for garbled.bin: SHA-256 ${other.toString('hex')}, sent ${sha256(data).toString('hex')}`,
    });
  });

  it('reads S3’s full-object ChecksumSHA256 for an object written without the agent’s metadata', async () => {
    // Prepare
    const s3Storage = await storage();
    const data = Buffer.from('written by another tool');
    const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: s3.url,
      forcePathStyle: true,
      credentials: { accessKeyId: S3RVER_KEYS.accessKey, secretAccessKey: S3RVER_KEYS.secretKey },
    });
    // Bytes at mcd/foreign.txt without the agent's SHA-256 entry: a PutObject of another tool, straight to s3rver.
    await client.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'mcd/foreign.txt', Body: data }));
    client.destroy();
    const before = await s3Storage.head('foreign.txt');
    answer = { headChecksum: sha256(data) };

    // Act
    const info = await s3Storage.head('foreign.txt');

    // Assess
    expect(before.sha256).toBeNull();
    expect(info.sha256).toBe(sha256(data).toString('hex'));
  });
});

describe('S3 objects over the copy limit', () => {
  it('stay unsealed (no recorded SHA-256, not verifiable alone) while their fragment is still verified', async () => {
    // Prepare
    const data = randomBytes(LARGE);
    const s3Storage = await storage(1024);
    const sets = new FragmentSets(s3Storage, loadConfig({}));

    // Act
    const entry = await sets.writeFragment('big', 'f', Readable.from([data]));
    await sets.complete('big');
    const info = await s3Storage.head(entry.key);
    const alone = readVerified(s3Storage, entry.key);
    const restored = await sets.download('big', 'f');

    // Assess
    expect(entry.sha256).toBe(sha256(data).toString('hex'));
    expect(info.sha256).toBeNull();
    await expect(alone).rejects.toMatchObject({ errorType: 'ChecksumUnavailable' });
    const bytes = Buffer.isBuffer(restored) ? restored : await streamToBuffer(restored);
    expect(sha256(bytes).equals(sha256(data))).toBe(true);
  });
});
