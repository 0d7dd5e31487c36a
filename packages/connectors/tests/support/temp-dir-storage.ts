import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { StorageBackend } from '@artemis/core';

/**
 * A small StorageBackend over a temp directory, for connector tests only: it stands in until the storage issue's
 * FILESYSTEM backend lands in main (then tests should use that one).
 */
export async function tempDirStorage(): Promise<
  StorageBackend & { root: string; contents(key: string): Promise<Buffer>; remove(): Promise<void> }
> {
  const root = await mkdtemp(join(tmpdir(), 'artemis-connectors-'));
  const pathOf = (key: string) => {
    const path = resolve(root, key);
    if (!path.startsWith(root + sep)) throw new Error(`Invalid key ${key}`);
    return path;
  };
  return {
    root,
    bucketName: 'test-bucket',
    async write(key, data) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      await pipeline(
        typeof data === 'string' || Buffer.isBuffer(data) ? Readable.from([data]) : data,
        createWriteStream(path),
      );
    },
    async read(key) {
      return createReadStream(pathOf(key));
    },
    async presignedUrl(key) {
      return `file://${pathOf(key)}`;
    },
    contents: (key) => readFile(pathOf(key)),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
