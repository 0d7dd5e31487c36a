import { createHash, createPublicKey, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CRC32C } from '@google-cloud/storage';

/**
 * An HTTP-level fake of the GCS JSON API, for the one boundary nothing here can run (SPEC §12). It implements just
 * what the real @google-cloud/storage client calls for the storage operations: multipart and resumable uploads (with
 * their content type and custom metadata), media and metadata reads (of the live generation, or of the one asked
 * for), metadata patches (with `ifGenerationMatch`), delete, list (prefix, delimiter, maxResults, pageToken), bucket
 * metadata and IAM policy, and V4 signed-URL reads, whose RSA signature it verifies with the service account's public
 * key and whose expiry it enforces, as GCS does. Every write makes a new generation, as in a bucket without
 * versioning: older generations are gone.
 */
export interface FakeGcs {
  readonly url: string;
  readonly objects: Map<string, StoredObject>;
  close(): Promise<void>;
}

export interface StoredObject {
  readonly data: Buffer;
  readonly updated: Date;
  readonly generation: number;
  readonly contentType: string | undefined;
  readonly metadata: Record<string, string>;
}

interface UploadMetadata {
  readonly name?: string;
  readonly contentType?: string;
  readonly metadata?: Record<string, string>;
}

/** `publicBucket`: a second bucket that exists only to be public (an allUsers IAM binding), for is_bucket_private. */
export async function startFakeGcs(
  bucket: string,
  signerPrivateKeyPem: string,
  publicBucket?: string,
): Promise<FakeGcs> {
  const objects = new Map<string, StoredObject>();
  const sessions = new Map<string, string>();
  const publicKey = createPublicKey(signerPrivateKeyPem);
  let nextSession = 0;
  let nextGeneration = 1_700_000_000_000;
  const uploads = new Map<string, UploadMetadata>();

  const metadataOf = (name: string, object: StoredObject) => ({
    kind: 'storage#object',
    bucket,
    name,
    size: String(object.data.length),
    md5Hash: createHash('md5').update(object.data).digest('base64'),
    crc32c: crc32cOf(object.data),
    etag: createHash('md5').update(object.data).digest('hex'),
    updated: object.updated.toISOString(),
    storageClass: 'STANDARD',
    generation: String(object.generation),
    metageneration: '1',
    ...(object.contentType ? { contentType: object.contentType } : {}),
    ...(Object.keys(object.metadata).length > 0 ? { metadata: object.metadata } : {}),
  });
  const store = (name: string, data: Buffer, upload: UploadMetadata) => {
    const object = {
      data,
      updated: new Date(),
      generation: ++nextGeneration,
      contentType: upload.contentType,
      metadata: { ...(upload.metadata ?? {}) },
    };
    objects.set(name, object);
    return metadataOf(name, object);
  };
  /** The live object, or 404 when the request names a generation that is not (any more) the live one. */
  const live = (name: string, url: URL) => {
    const object = objects.get(name);
    const generation = url.searchParams.get('generation');
    return object && (generation === null || generation === String(object.generation)) ? object : undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const body = await readAll(req);
    const path = url.pathname;
    const bucketPath = `/storage/v1/b/${bucket}`;
    const uploadPath = `/upload/storage/v1/b/${bucket}/o`;

    if (req.method === 'POST' && path === uploadPath && url.searchParams.get('uploadType') === 'multipart') {
      const [metadata, data] = parseMultipart(body, req.headers['content-type'] ?? '');
      const upload = JSON.parse(metadata.toString() || '{}') as UploadMetadata;
      const name = url.searchParams.get('name') ?? upload.name ?? '';
      // The precondition GCS checks atomically: generation 0 means "only if no live object has this name".
      if (url.searchParams.get('ifGenerationMatch') === '0' && objects.has(name)) {
        return error(res, 412, 'At least one of the pre-conditions you specified did not hold.');
      }
      return json(res, 200, store(name, data, upload));
    }
    if (req.method === 'POST' && path === uploadPath && url.searchParams.get('uploadType') === 'resumable') {
      // The client moves the content type of a resumable upload to a header of the session request, as GCS reads it.
      const contentType = req.headers['x-upload-content-type'];
      const upload = {
        ...(JSON.parse(body.toString() || '{}') as UploadMetadata),
        ...(typeof contentType === 'string' ? { contentType } : {}),
      };
      const name = url.searchParams.get('name') ?? upload.name ?? '';
      const id = String(++nextSession);
      sessions.set(id, name);
      uploads.set(id, upload);
      res.setHeader('location', `http://${req.headers.host}${uploadPath}?uploadType=resumable&upload_id=${id}`);
      return json(res, 200, {});
    }
    if (req.method === 'PUT' && path === uploadPath) {
      const name = sessions.get(url.searchParams.get('upload_id') ?? '');
      if (name === undefined) return error(res, 404, 'No such upload session');
      const id = url.searchParams.get('upload_id') ?? '';
      const upload = uploads.get(id) ?? {};
      sessions.delete(id);
      uploads.delete(id);
      return json(res, 200, store(name, body, upload));
    }
    if (req.method === 'GET' && path === bucketPath) {
      return json(res, 200, {
        kind: 'storage#bucket',
        name: bucket,
        iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'inherited' },
      });
    }
    if (req.method === 'GET' && path === `${bucketPath}/iam`) {
      return json(res, 200, { bindings: [{ role: 'roles/storage.admin', members: ['serviceAccount:agent@x'] }] });
    }
    if (req.method === 'GET' && path === `${bucketPath}/o`) return json(res, 200, list(objects, url, metadataOf));
    if (path.startsWith(`${bucketPath}/o/`)) {
      const name = decodeURIComponent(path.slice(`${bucketPath}/o/`.length));
      const object = live(name, url);
      if (!object) return error(res, 404, `No such object: ${bucket}/${name}`);
      if (req.method === 'DELETE') {
        objects.delete(name);
        res.writeHead(204).end();
        return;
      }
      if (req.method === 'PATCH') {
        const match = url.searchParams.get('ifGenerationMatch');
        if (match !== null && match !== String(object.generation)) {
          return error(res, 412, 'At least one of the pre-conditions you specified did not hold.');
        }
        const patch = JSON.parse(body.toString() || '{}') as { metadata?: Record<string, string | null> };
        const metadata = { ...object.metadata };
        for (const [key, value] of Object.entries(patch.metadata ?? {})) {
          if (value === null) delete metadata[key];
          else metadata[key] = value;
        }
        const patched = { ...object, metadata };
        objects.set(name, patched);
        return json(res, 200, metadataOf(name, patched));
      }
      if (url.searchParams.get('alt') === 'media') return media(res, object.data);
      return json(res, 200, metadataOf(name, object));
    }
    if (req.method === 'GET' && path.startsWith(`/${bucket}/`) && url.searchParams.has('X-Goog-Signature')) {
      const problem = signedUrlProblem(req, url, publicKey);
      if (problem) return error(res, 403, problem);
      const object = objects.get(decodeURIComponent(path.slice(bucket.length + 2)));
      if (!object) return error(res, 404, 'No such object');
      return media(res, object.data);
    }
    if (req.method === 'GET' && publicBucket && path === `/storage/v1/b/${publicBucket}`) {
      return json(res, 200, { name: publicBucket, iamConfiguration: { uniformBucketLevelAccess: { enabled: true } } });
    }
    if (req.method === 'GET' && publicBucket && path === `/storage/v1/b/${publicBucket}/iam`) {
      return json(res, 200, { bindings: [{ role: 'roles/storage.objectViewer', members: ['allUsers'] }] });
    }
    if (path.startsWith('/storage/v1/b/')) return error(res, 404, 'The specified bucket does not exist.');
    return error(res, 501, `Fake GCS does not implement ${req.method} ${path}`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((caught: Error) => error(res, 500, caught.message));
  });
  // GCS keeps idle connections open far longer than node's 5 s default: a client reusing one after a slow step (a
  // 9 MiB object hashed on a loaded machine) must not meet a socket the fake has just closed (ECONNRESET).
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    objects,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function list(
  objects: Map<string, StoredObject>,
  url: URL,
  metadataOf: (name: string, object: StoredObject) => unknown,
): Record<string, unknown> {
  const prefix = url.searchParams.get('prefix') ?? '';
  const delimiter = url.searchParams.get('delimiter');
  const max = Number(url.searchParams.get('maxResults') ?? 1000);
  const after = url.searchParams.get('pageToken');
  const entries: { name: string; isPrefix: boolean }[] = [];
  for (const name of [...objects.keys()].filter((key) => key.startsWith(prefix)).sort()) {
    const cut = delimiter ? name.indexOf(delimiter, prefix.length) : -1;
    const entry = cut < 0 ? { name, isPrefix: false } : { name: name.slice(0, cut + 1), isPrefix: true };
    if (entries.at(-1)?.name !== entry.name) entries.push(entry);
  }
  const remaining = after ? entries.filter((entry) => entry.name > after) : entries;
  const page = remaining.slice(0, max);
  const items = page.filter((entry) => !entry.isPrefix);
  const prefixes = page.filter((entry) => entry.isPrefix).map((entry) => entry.name);
  return {
    kind: 'storage#objects',
    ...(items.length ? { items: items.map(({ name }) => metadataOf(name, objects.get(name) as StoredObject)) } : {}),
    ...(prefixes.length ? { prefixes } : {}),
    ...(remaining.length > page.length ? { nextPageToken: page.at(-1)?.name } : {}),
  };
}

/** Recomputes the V4 string-to-sign from the request and checks the RSA signature and the expiry. */
function signedUrlProblem(req: IncomingMessage, url: URL, publicKey: ReturnType<typeof createPublicKey>) {
  const rawQuery = (req.url ?? '').split('?')[1] ?? '';
  const pairs = rawQuery.split('&').filter((pair) => !pair.startsWith('X-Goog-Signature='));
  pairs.sort((a, b) => (a.split('=')[0] as string).localeCompare(b.split('=')[0] as string));
  const host = (req.headers.host ?? '').split(':')[0];
  const canonical = ['GET', url.pathname, pairs.join('&'), `host:${host}\n`, 'host', 'UNSIGNED-PAYLOAD'].join('\n');
  const date = url.searchParams.get('X-Goog-Date') ?? '';
  const scope = (url.searchParams.get('X-Goog-Credential') ?? '').split('/').slice(1).join('/');
  const stringToSign = ['GOOG4-RSA-SHA256', date, scope, createHash('sha256').update(canonical).digest('hex')].join(
    '\n',
  );
  const signature = Buffer.from(url.searchParams.get('X-Goog-Signature') ?? '', 'hex');
  if (!verify('RSA-SHA256', Buffer.from(stringToSign), publicKey, signature)) return 'SignatureDoesNotMatch';
  const signedAt = Date.parse(date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  const expires = Number(url.searchParams.get('X-Goog-Expires'));
  return Date.now() > signedAt + expires * 1000 ? 'ExpiredToken' : undefined;
}

function parseMultipart(body: Buffer, contentType: string): [Buffer, Buffer] {
  const boundary = /boundary=("?)([^";]+)\1/.exec(contentType)?.[2];
  if (!boundary) throw new Error('multipart body without boundary');
  const parts: Buffer[] = [];
  const marker = Buffer.from(`--${boundary}`);
  let start = body.indexOf(marker);
  while (start >= 0) {
    const next = body.indexOf(marker, start + marker.length);
    if (next < 0) break;
    const part = body.subarray(start + marker.length, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    parts.push(part.subarray(headerEnd + 4, part.length - 2)); // without the CRLF before the next marker
    start = next;
  }
  return [parts[0] ?? Buffer.alloc(0), parts[1] ?? Buffer.alloc(0)];
}

/** The client checks uploads against the server's CRC32C, so the fake computes it (with the client's own code). */
function crc32cOf(data: Buffer): string {
  const crc = new CRC32C();
  crc.update(data);
  return crc.toString();
}

function media(res: ServerResponse, data: Buffer): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': data.length }).end(data);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

function error(res: ServerResponse, status: number, message: string): void {
  json(res, status, { error: { code: status, message, errors: [{ message, reason: 'fake' }] } });
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
