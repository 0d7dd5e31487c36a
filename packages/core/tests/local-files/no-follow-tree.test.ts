import { mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { NoFollowTree } from '../../src/local-files/no-follow-tree';

/* The openat-style walk under FILESYSTEM storage: a link in any component is refused, and held folders stay put. */

const onLinux = process.platform === 'linux' ? it : it.skip;

describe('NoFollowTree', () => {
  let base: string;
  let root: string;
  let outside: string;

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'artemis-tree-'));
    root = join(base, 'root');
    outside = join(base, 'outside');
    await mkdir(join(root, 'a', 'b'), { recursive: true });
    await mkdir(outside);
    await symlink(outside, join(root, 'a', 'link'));
  });

  afterEach(() => rm(base, { recursive: true, force: true }));

  it.each([
    ['/proc/self/fd', undefined],
    ['paths', false],
  ])('refuses a link in a middle component with ELOOP, and creates nothing behind it (%s)', async (_mode, viaProc) => {
    // Prepare
    const tree = new NoFollowTree(root, viaProc === undefined ? {} : { viaProc });

    // Act
    const opening = tree.open(['a', 'link', 'new'], { create: true });

    // Assess
    await expect(opening).rejects.toMatchObject({ code: 'ELOOP' });
    await expect(readdir(outside)).resolves.toEqual([]);
  });

  it('creates missing folders, the root included', async () => {
    // Prepare
    const tree = new NoFollowTree(join(base, 'fresh'));

    // Act
    const dir = await tree.open(['x', 'y'], { create: true });
    await writeFile(dir.at('f'), 'data');
    await dir.close();

    // Assess
    await expect(readFile(join(base, 'fresh', 'x', 'y', 'f'), 'utf8')).resolves.toBe('data');
  });

  onLinux(
    'keeps working in the folder it holds open after that folder is swapped for a link out of the root',
    async () => {
      // Prepare
      const tree = new NoFollowTree(root);
      const dir = await tree.open(['a', 'b']);
      await rename(join(root, 'a', 'b'), join(root, 'a', 'b-moved'));
      await symlink(outside, join(root, 'a', 'b'));

      // Act
      await writeFile(dir.at('written.txt'), 'data');
      await dir.close();

      // Assess
      await expect(readdir(outside)).resolves.toEqual([]);
      await expect(readFile(join(root, 'a', 'b-moved', 'written.txt'), 'utf8')).resolves.toBe('data');
    },
  );
});
