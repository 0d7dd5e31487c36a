import { createHash, type Hash } from 'node:crypto';
import { Readable, Transform, type TransformCallback, Writable } from 'node:stream';

/*
 * SHA-256 (and, where a service stores one natively, MD5) computed while the bytes stream past, so an object of any
 * size is hashed without being held: one pass, the chunk in hand only.
 */

/** SHA-256 (and optionally MD5) and byte count of what is fed to it; the digests are read once, at the end. */
export class ContentDigest {
  #size = 0;
  readonly #sha256: Hash = createHash('sha256');
  readonly #md5: Hash | undefined;
  #sha256Hex: string | undefined;
  #md5Bytes: Buffer | undefined;

  constructor(options: { readonly md5?: boolean } = {}) {
    this.#md5 = options.md5 ? createHash('md5') : undefined;
  }

  update(chunk: Buffer): void {
    this.#sha256.update(chunk);
    this.#md5?.update(chunk);
    this.#size += chunk.length;
  }

  get size(): number {
    return this.#size;
  }

  /** Hex SHA-256 of everything fed; only once everything has been. */
  get sha256(): string {
    this.#sha256Hex ??= this.#sha256.digest('hex');
    return this.#sha256Hex;
  }

  get md5(): Buffer {
    if (!this.#md5) throw new Error('ContentDigest created without md5');
    this.#md5Bytes ??= this.#md5.digest();
    return this.#md5Bytes;
  }
}

/**
 * A pass-through that hashes and counts what flows through it; `digest` is read once it has ended. (No `size` of its
 * own: lib-storage takes a body's `size` for its length.)
 */
export class DigestStream extends Transform {
  readonly digest: ContentDigest;

  constructor(options: { readonly md5?: boolean } = {}) {
    super();
    this.digest = new ContentDigest(options);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.digest.update(chunk);
    callback(null, chunk);
  }
}

/** A sink that drops what it is given (hashing a stream needs only the digest). */
export function discard(): Writable {
  return new Writable({
    write: (_chunk, _encoding, callback) => callback(),
  });
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function md5Of(data: Buffer | string): Buffer {
  return createHash('md5').update(data).digest();
}

/** Bytes for a write: text as UTF-8. */
export function bytesOf(data: Buffer | string): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/** Hex SHA-256 → base64 of the digest, the form of S3's ChecksumSHA256. */
export function hexToBase64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

export type StreamStart = { readonly whole: Buffer } | { readonly whole?: undefined; readonly stream: Readable };

/**
 * Reads up to `limit` bytes of a stream: `whole` when it ended within them (a small object can be written in one
 * request, with its digest known up front), else `stream`, the same bytes from the start, still streaming.
 */
export async function readStart(source: Readable, limit: number): Promise<StreamStart> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const head: Buffer[] = [];
  let bytes = 0;
  while (bytes <= limit) {
    const next = await iterator.next();
    if (next.done) return { whole: Buffer.concat(head) };
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    head.push(chunk);
    bytes += chunk.length;
  }
  async function* replay(): AsyncGenerator<Buffer> {
    yield* head.splice(0);
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      yield Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    }
  }
  return { stream: Readable.from(replay(), { objectMode: false }) };
}
