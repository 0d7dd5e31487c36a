import { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { createGunzip } from 'node:zlib';
import { OperationError } from '../errors/agent-errors';

const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** The whole stream as one Buffer: only for results that must be parsed (read_json, read with `encoding`). */
export async function streamToBuffer(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

/**
 * `read(decompress=True)`: gunzips the stream when it starts with the gzip magic bytes and passes it through
 * untouched otherwise (Apollo's rule), still as a stream.
 */
export async function gunzipIfCompressed(stream: Readable): Promise<Readable> {
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let headBytes = 0;
  while (headBytes < GZIP_MAGIC.length) {
    const next = await iterator.next();
    if (next.done) break;
    head.push(next.value);
    headBytes += next.value.length;
  }
  const start = Buffer.concat(head);
  async function* replay(): AsyncGenerator<Buffer> {
    yield* head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  const whole = Readable.from(replay(), { objectMode: false });
  if (start[0] !== GZIP_MAGIC[0] || start[1] !== GZIP_MAGIC[1]) return whole;
  const gunzip = createGunzip();
  whole.on('error', (error) => gunzip.destroy(error));
  return whole.pipe(gunzip);
}

/** Decodes bytes with a Python-style encoding name ("utf-8", "latin-1", "ascii"…). */
export function decodeText(bytes: Buffer, encoding: string): string {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(
      encoding
        .trim()
        .toLowerCase()
        .replace(/^latin-1$/, 'latin1'),
    );
  } catch {
    throw new OperationError(`Unknown encoding: ${encoding}`);
  }
  return decoder.decode(bytes);
}
