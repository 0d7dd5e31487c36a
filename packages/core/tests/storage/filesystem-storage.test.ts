import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { OperationError } from '../../src/errors/agent-errors';
import { FilesystemStorage } from '../../src/storage/filesystem-storage';
import { streamToBuffer } from '../../src/storage/stream-helpers';

/* What only the FILESYSTEM backend has to get right: atomic writes and a directory tree standing in for a bucket. */

describe('FilesystemStorage', () => {
  let root: string;
  let storage: FilesystemStorage;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'artemis-fs-storage-'));
    storage = new FilesystemStorage({ root, prefix: 'mcd', publicUrl: 'http://127.0.0.1:1', signingSecret: 's' });
  });

  afterEach(() => rm(root, { recursive: true, force: true }));

  it('leaves neither the object nor a temp file behind when a streamed write fails', async () => {
    // Prepare
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1024));
        this.destroy(new Error('source broke'));
      },
    });

    // Act
    const write = storage.write('broken.bin', failing);

    // Assess
    await expect(write).rejects.toThrow('source broke');
    await expect(readdir(join(root, 'mcd'))).resolves.toEqual([]);
  });

  it('replaces an object whole: a reader sees the old or the new bytes, never a mix', async () => {
    // Prepare
    await storage.write('obj', 'old'.repeat(1000));
    const reading = storage.read('obj');

    // Act
    await storage.write('obj', Readable.from([Buffer.from('new'.repeat(1000))]));

    // Assess
    await expect(reading.then(streamToBuffer).then(String)).resolves.toBe('old'.repeat(1000));
    await expect(storage.read('obj').then(streamToBuffer).then(String)).resolves.toBe('new'.repeat(1000));
  });

  it('refuses an object below another object with a clear error', async () => {
    // Prepare
    await storage.write('a', 'file');

    // Act
    const write = storage.write('a/b', 'below a file');

    // Assess
    await expect(write).rejects.toBeInstanceOf(OperationError);
    await expect(write).rejects.toMatchObject({
      message: 'Cannot write a/b: it collides with an object or folder of the same path',
    });
  });

  it('refuses folder markers, which a directory tree cannot hold as objects', async () => {
    // Act
    const write = storage.write('folder/', '');

    // Assess
    await expect(write).rejects.toMatchObject({
      name: 'OperationError',
      message: 'Cannot write folder/: folder markers (keys ending with /) have no file to live in',
    });
    await expect(readdir(root)).resolves.toEqual([]);
  });

  it('removes folders a delete leaves empty, as object stores have none', async () => {
    // Prepare
    await storage.write('x/y/z.txt', 'z');
    await storage.write('x/keep.txt', 'k');

    // Act
    await storage.delete('x/y/z.txt');

    // Assess
    // keep.txt and its metadata sidecar are all that is left of x/.
    expect((await readdir(join(root, 'mcd', 'x'))).sort()).toEqual(['keep.txt', 'keep.txt.artemis-meta']);
    await expect(storage.list({ delimiter: '/' })).resolves.toEqual({ objects: [], prefixes: ['x/'], pageToken: null });
  });
});
