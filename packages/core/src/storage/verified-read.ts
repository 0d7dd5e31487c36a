import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ChecksumMismatchError, ChecksumUnavailableError } from '../errors/storage-errors';
import { ContentDigest, DigestStream, discard, sha256Hex } from './object-digest';
import type { FullStorageBackend, ObjectInfo } from './storage-backend';
import { streamToBuffer } from './stream-helpers';

/*
 * `read` / `download_file` with `verify=true`, and `download_fragment`: the bytes are checked against the SHA-256
 * recorded when they were written (or a fragment manifest's) before the client gets any of them, so a mismatch is an
 * ordinary error envelope (`ChecksumMismatch`), never a response that is cut half-way or, worse, complete and wrong.
 *
 * - Up to 8 MiB the object is read once into memory, checked, and answered from there.
 * - A larger object is read twice, with nothing kept: first only to hash it, then — that very version, pinned by
 *   ETag / generation / file identity (ObjectChanged if the key was overwritten in between) — streamed to the client.
 *   The second pass is hashed too: should the service hand over other bytes the second time, the stream is destroyed
 *   with the ChecksumMismatch error at its end, so the client sees a cut response rather than accepting them.
 *
 * Why not a temp copy under MCD_TEMP_FOLDER: it needs local disk the size of the object (Lambda's /tmp is 512 MB by
 * default, Cloud Run's /tmp is memory). Why not stream once and cut on mismatch: the client would get a truncated body
 * instead of an envelope, and an async job would store the bytes before knowing. Reading twice costs time and
 * transfer inside the cloud, and works on every runtime with flat memory.
 */

/** Objects up to this size are verified in memory in one read. */
export const IN_MEMORY_VERIFY_BYTES = 8 * 1024 * 1024;

export interface ExpectedContent {
  readonly sha256: string;
  readonly size?: number | undefined;
}

/** The object's bytes once verified: a Buffer (small objects) or a stream of the version that was verified. */
export async function readVerified(
  storage: FullStorageBackend,
  key: string,
  expected?: ExpectedContent,
): Promise<Buffer | Readable> {
  const first = await storage.open(key);
  const want = expectedOf(key, first.info, expected, () => first.body.destroy());
  if (first.info.size <= IN_MEMORY_VERIFY_BYTES) {
    const bytes = await streamToBuffer(first.body);
    assertSame(key, want, { sha256: sha256Hex(bytes), size: bytes.length });
    return bytes;
  }
  const hashing = new DigestStream();
  await pipeline(first.body, hashing, discard());
  assertSame(key, want, hashing.digest);
  const second = await storage.open(key, { version: first.info.version });
  const checked = new VerifyingStream(key, want);
  pipeline(second.body, checked).catch(() => undefined); // errors reach the reader through `checked`
  return checked;
}

function expectedOf(key: string, info: ObjectInfo, expected: ExpectedContent | undefined, release: () => void) {
  if (expected) return expected;
  if (info.sha256 === null) {
    release();
    throw new ChecksumUnavailableError(`No SHA-256 is recorded for ${key}, so it cannot be verified`);
  }
  return { sha256: info.sha256, size: info.size };
}

function assertSame(key: string, expected: ExpectedContent, actual: { sha256: string; size: number }): void {
  if (expected.size !== undefined && expected.size !== actual.size) {
    throw new ChecksumMismatchError(`Size mismatch for ${key}: expected ${expected.size} bytes, read ${actual.size}`);
  }
  if (expected.sha256 !== actual.sha256) {
    throw new ChecksumMismatchError(
      `Checksum mismatch for ${key}: expected SHA-256 ${expected.sha256}, read ${actual.sha256}`,
    );
  }
}

/** Hashes what passes and fails at the end, before the last callback, when it is not what was expected. */
class VerifyingStream extends Transform {
  readonly #digest = new ContentDigest();
  readonly #key: string;
  readonly #expected: ExpectedContent;

  constructor(key: string, expected: ExpectedContent) {
    super();
    this.#key = key;
    this.#expected = expected;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#digest.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    try {
      assertSame(this.#key, this.#expected, this.#digest);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }
}
