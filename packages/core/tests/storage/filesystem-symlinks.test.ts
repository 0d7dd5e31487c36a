import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FilesystemStorage } from '../../src/storage/filesystem-storage';
import { streamToBuffer } from '../../src/storage/stream-helpers';
import { operation, startTestAgent } from '../support/test-agent';
import { freePort } from './support/storage-emulators';

/*
 * FILESYSTEM storage never follows a symbolic link below MCD_STORAGE_PATH, in any component (issue 9 finding 4):
 * each operation is tried through a folder link inside the root that leads outside it. Every test runs with the
 * openat-style walk through /proc/self/fd and with the path fallback used where /proc is missing.
 */

const SECRET = 'outside-the-root';

describe.each([
  ['/proc/self/fd walk', undefined],
  ['path fallback', false],
])('FILESYSTEM storage and a folder link leading out of the root (%s)', (_mode, viaProc) => {
  let base: string;
  let root: string;
  let outside: string;
  let storage: FilesystemStorage;

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'artemis-fs-links-'));
    root = join(base, 'root');
    outside = join(base, 'outside');
    await mkdir(join(root, 'mcd', 'real'), { recursive: true });
    await mkdir(join(outside, 'nested'), { recursive: true });
    await writeFile(join(outside, 'secret.txt'), SECRET);
    await symlink(outside, join(root, 'mcd', 'link'));
    await symlink(outside, join(root, 'mcd', 'real', 'deeper-link'));
    storage = new FilesystemStorage({
      root,
      prefix: 'mcd',
      publicUrl: 'http://127.0.0.1:1',
      signingSecret: 's',
      ...(viaProc === undefined ? {} : { viaProc }),
    });
  });

  afterEach(() => rm(base, { recursive: true, force: true }));

  it('read: a file behind the link is not found', async () => {
    // Act
    const read = storage.read('link/secret.txt');

    // Assess
    await expect(read).rejects.toMatchObject({
      name: 'StorageNotFoundError',
      errorType: 'NotFound',
      message: 'Object not found: link/secret.txt',
    });
  });

  it('write: refused, and nothing (object, temp file or folder) appears outside', async () => {
    // Act
    const direct = storage.write('link/planted.txt', 'planted');
    const nested = storage.write('real/deeper-link/new/planted.txt', 'planted');

    // Assess
    await expect(direct).rejects.toMatchObject({
      name: 'InvalidStorageKeyError',
      errorType: 'Forbidden',
      message:
        'Cannot write link/planted.txt: its path goes through a symbolic link, which FILESYSTEM storage never follows',
    });
    await expect(nested).rejects.toMatchObject({ name: 'InvalidStorageKeyError', errorType: 'Forbidden' });
    await expect(readdir(outside)).resolves.toEqual(['nested', 'secret.txt']);
    await expect(readdir(join(outside, 'nested'))).resolves.toEqual([]);
  });

  it('delete: not found, and the file outside stays', async () => {
    // Act
    const deletion = storage.delete('link/secret.txt');

    // Assess
    await expect(deletion).rejects.toMatchObject({ name: 'StorageNotFoundError', errorType: 'NotFound' });
    await expect(readFile(join(outside, 'secret.txt'), 'utf8')).resolves.toBe(SECRET);
  });

  it('list: a prefix through the link lists nothing, and no listing shows what is behind a link', async () => {
    // Prepare
    await storage.write('real/kept.txt', 'k');

    // Act
    const throughLink = await storage.list({ prefix: 'link/' });
    const everything = await storage.list();

    // Assess
    expect(throughLink).toEqual({ objects: [], prefixes: [], pageToken: null });
    expect(everything.objects.map((object) => object.key)).toEqual(['real/kept.txt']);
  });

  it('a file link is not an object either', async () => {
    // Prepare
    await symlink(join(outside, 'secret.txt'), join(root, 'mcd', 'real', 'file-link'));

    // Act
    const read = storage.read('real/file-link');
    const deletion = storage.delete('real/file-link');
    const listing = await storage.list({ prefix: 'real/' });

    // Assess
    await expect(read).rejects.toMatchObject({ name: 'StorageNotFoundError' });
    await expect(deletion).rejects.toMatchObject({ name: 'StorageNotFoundError' });
    expect(listing.objects).toEqual([]);
    await expect(readFile(join(outside, 'secret.txt'), 'utf8')).resolves.toBe(SECRET);
  });

  it('still reads, writes, lists and deletes ordinary objects', async () => {
    // Act
    await storage.write('real/a/b.txt', 'bytes');
    const read = await streamToBuffer(await storage.read('real/a/b.txt'));
    const listed = await storage.list({ prefix: 'real/' });
    await storage.delete('real/a/b.txt');

    // Assess
    expect(read.toString()).toBe('bytes');
    expect(listed.objects.map((object) => object.key)).toEqual(['real/a/b.txt']);
    await expect(readdir(join(root, 'mcd', 'real'))).resolves.toEqual(['deeper-link']);
  });
});

describe('FILESYSTEM storage through the agent: download_file and signed URLs never follow a link', () => {
  it('answers NotFound for download_file and 404 for a signed URL through a folder link', async () => {
    // Prepare
    const base = await mkdtemp(join(tmpdir(), 'artemis-fs-links-agent-'));
    const root = join(base, 'root');
    await mkdir(join(root, 'mcd'), { recursive: true });
    await mkdir(join(base, 'outside'));
    await writeFile(join(base, 'outside', 'secret.txt'), SECRET);
    await symlink(join(base, 'outside'), join(root, 'mcd', 'link'));
    const port = await freePort();
    const agent = await startTestAgent({
      MCD_STORAGE_PATH: root,
      PORT: String(port),
      MCD_PUBLIC_URL: `http://127.0.0.1:${port}`,
      MCD_STORAGE_SIGNING_SECRET: 'test-signing-secret',
    });

    try {
      // Act
      const download = await agent.post(
        '/api/v1/agent/execute/storage/download',
        operation([{ method: 'download_file', kwargs: { key: 'link/secret.txt' } }]),
      );
      const presigned = await agent.post(
        '/api/v1/agent/execute/storage/presign',
        operation([{ method: 'generate_presigned_url', kwargs: { key: 'link/secret.txt', expiration: 60 } }]),
      );
      const url = ((await presigned.json()) as { __mcd_result__: string }).__mcd_result__;
      const signed = await fetch(url);

      // Assess
      expect(download.status).toBe(200);
      await expect(download.json()).resolves.toMatchObject({
        __mcd_error__: 'Object not found: link/secret.txt',
        __mcd_error_type__: 'NotFound',
        __mcd_trace_id__: 'trace-1',
      });
      expect(signed.status).toBe(404);
      await expect(signed.json()).resolves.toMatchObject({
        __mcd_error__: 'Object not found: mcd/link/secret.txt',
        __mcd_error_type__: 'NotFound',
      });
    } finally {
      await agent.close();
      await rm(base, { recursive: true, force: true });
    }
  });
});
