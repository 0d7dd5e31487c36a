import type { Readable } from 'node:stream';
import type { BlobHTTPHeaders, BlockBlobClient } from '@azure/storage-blob';
import { DigestStream, md5Of } from './object-digest';
import type { WrittenObject } from './storage-backend';

/** Azure's limit of blocks per blob. */
const MAX_BLOCKS = 50_000;

export interface BlockUploadOptions {
  readonly blockSize: number;
  /** Blocks in flight at once: memory is about blockSize × (concurrency + 1). */
  readonly concurrency: number;
  readonly headers: BlobHTTPHeaders;
  /** The blob's metadata, given its SHA-256: known only once the last block has been read. */
  readonly metadata: (sha256: string) => Record<string, string>;
}

/**
 * A streamed block-blob upload that knows the blob's digests when it commits: blocks are staged as they fill (each
 * with its MD5, which Azure checks on arrival), while the whole stream is hashed; the block list is then committed
 * with the blob's Content-MD5 and its SHA-256 in the metadata, so the blob appears with both, in one step. (The SDK's
 * `uploadStream` fixes headers and metadata before the first byte.)
 */
export async function uploadBlocks(
  blob: BlockBlobClient,
  source: Readable,
  options: BlockUploadOptions,
): Promise<WrittenObject> {
  const hashing = new DigestStream({ md5: true });
  const ids: string[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let failure: unknown;
  const stage = async (block: Buffer) => {
    if (ids.length >= MAX_BLOCKS) throw new Error(`a blob holds at most ${MAX_BLOCKS} blocks`);
    const id = Buffer.from(String(ids.length).padStart(6, '0')).toString('base64');
    ids.push(id);
    const staged = blob
      .stageBlock(id, block, block.length, { transactionalContentMD5: md5Of(block) })
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => inFlight.delete(staged));
    inFlight.add(staged);
    while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
    if (failure) throw failure;
  };

  let pending: Buffer[] = [];
  let pendingBytes = 0;
  try {
    source.on('error', (error) => hashing.destroy(error));
    for await (const chunk of source.pipe(hashing) as AsyncIterable<Buffer>) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      while (pendingBytes >= options.blockSize) {
        const whole = Buffer.concat(pending);
        await stage(whole.subarray(0, options.blockSize));
        const rest = whole.subarray(options.blockSize);
        pending = rest.length > 0 ? [rest] : [];
        pendingBytes = rest.length;
      }
    }
    if (pendingBytes > 0) await stage(Buffer.concat(pending));
    await Promise.all(inFlight);
    if (failure) throw failure;
  } finally {
    await Promise.allSettled(inFlight);
  }
  const { digest } = hashing;
  const sha256 = digest.sha256;
  await blob.commitBlockList(ids, {
    blobHTTPHeaders: { ...options.headers, blobContentMD5: digest.md5 },
    metadata: options.metadata(sha256),
  });
  return { sha256, size: digest.size };
}
