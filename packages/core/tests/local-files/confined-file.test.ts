import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ConfinedFileOptions, readConfinedFile } from '../../src/local-files/confined-file';

/*
 * The one confined read (issue 10 finding 4) that upload_file, connectors' certificate files and the `file`
 * credentials source share: as written, with links resolved, and where the opened descriptor really is.
 */

describe('readConfinedFile', () => {
  let base: string;
  let root: string;
  let second: string;
  let options: ConfinedFileOptions;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'artemis-confined-'));
    root = join(base, 'root');
    second = join(base, 'second');
    await mkdir(join(root, '..data-2024'), { recursive: true });
    await mkdir(second);
    await mkdir(join(base, 'outside'));
    await writeFile(join(base, 'outside', 'secret.pem'), 'outside');
    await writeFile(join(root, '..data-2024', 'ca.pem'), 'inside');
    await writeFile(join(second, 'other.pem'), 'second root');
    // A mounted Kubernetes secret: the file is a link to a link to a timestamped folder, all inside.
    await symlink('..data-2024', join(root, '..data'));
    await symlink('..data/ca.pem', join(root, 'ca.pem'));
    await symlink(join(base, 'outside'), join(root, 'escape'));
    await symlink(join(base, 'outside', 'secret.pem'), join(root, 'escape.pem'));
    execFileSync('mkfifo', [join(root, 'pipe')]);
    options = { roots: [root, second], subject: 'sslrootcert', setting: 'MCD_TEMP_FOLDER' };
  });

  afterAll(() => rm(base, { recursive: true, force: true }));

  it('reads a file reached through links that stay inside, a relative path from the first root', async () => {
    // Act
    const absolute = await readConfinedFile(join(root, 'ca.pem'), options);
    const relative = await readConfinedFile('ca.pem', options);
    const inSecondRoot = await readConfinedFile(join(second, 'other.pem'), options);

    // Assess
    expect([absolute, relative, inSecondRoot]).toEqual(['inside', 'inside', 'second root']);
  });

  it.each([
    ['a path outside every root', () => join(base, 'outside', 'secret.pem'), 'outside', 'Forbidden'],
    ['a climb out with ..', () => '../outside/secret.pem', 'outside', 'Forbidden'],
    ['a folder link leading out', () => join(root, 'escape', 'secret.pem'), 'outside', 'Forbidden'],
    ['a file link leading out', () => join(root, 'escape.pem'), 'outside', 'Forbidden'],
    ['the root itself', () => root, 'outside', 'Forbidden'],
    ['a folder inside', () => join(root, '..data-2024'), 'not-a-file', 'Forbidden'],
    ['a FIFO (opened without blocking)', () => join(root, 'pipe'), 'not-a-file', 'Forbidden'],
    ['a missing file', () => join(root, 'missing.pem'), 'missing', 'NotFound'],
    ['an empty path', () => '', 'invalid', 'Forbidden'],
    ['a path with NUL', () => 'ca.pem\0', 'invalid', 'Forbidden'],
  ])('refuses %s', async (_case, path, reason, errorType) => {
    // Act
    const read = readConfinedFile(path(), options);

    // Assess
    await expect(read).rejects.toMatchObject({ name: 'ConfinedFileError', reason, errorType, status: 200 });
  });

  it('names the subject, the setting and the path in its messages', async () => {
    // Act
    const outside = readConfinedFile('/etc/hostname', options);
    const missing = readConfinedFile('missing.pem', options);

    // Assess
    await expect(outside).rejects.toThrow('sslrootcert must be a file under MCD_TEMP_FOLDER: /etc/hostname');
    await expect(missing).rejects.toThrow('sslrootcert not found: missing.pem');
  });
});
