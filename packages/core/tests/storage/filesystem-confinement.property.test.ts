import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AgentError } from '../../src/errors/agent-errors';
import { FilesystemStorage } from '../../src/storage/filesystem-storage';
import { streamToBuffer } from '../../src/storage/stream-helpers';

/*
 * Property: whatever keys the control plane sends, FILESYSTEM storage never reads, writes, deletes or lists anything
 * outside its root, and never goes through a symbolic link inside it. Random keys (seeded, so a failure replays)
 * are drawn over a tree whose components include links out of the root, links back into it, a file link and a
 * link loop; after every operation the world outside must be unchanged, and nothing read or listed may come
 * from behind a link.
 */

const SENTINEL = 'SENTINEL-outside-the-root';
const SEGMENTS = ['out', 'alias', 'loop', 'up', 'file-link', 'real', 'deep', 'a', 'x', 'new', '.', ''];
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const OPERATIONS_PER_SEED = 100;

type Snapshot = Record<string, string>;

/** Every entry below `dir`: type and, for files, content (links are recorded, never followed). */
async function snapshot(dir: string, prefix = ''): Promise<Snapshot> {
  const out: Snapshot = {};
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const name = `${prefix}${entry.name}`;
    if (entry.isSymbolicLink()) out[name] = 'link';
    else if (entry.isDirectory()) Object.assign(out, { [name]: 'dir' }, await snapshot(path, `${name}/`));
    else out[name] = `file:${await readFile(path, 'utf8')}`;
  }
  return out;
}

/** True when no component of `key` below `root` is a link and the key names a regular file. */
async function isPlainFile(root: string, key: string): Promise<boolean> {
  let path = root;
  for (const segment of key.split('/').filter((s) => s !== '' && s !== '.')) {
    path = join(path, segment);
    const info = await lstat(path).catch(() => undefined);
    if (!info || info.isSymbolicLink()) return false;
  }
  return (await lstat(path)).isFile();
}

async function plantTree(base: string): Promise<{ root: string; outside: string }> {
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  await mkdir(join(root, 'mcd', 'real', 'a'), { recursive: true });
  await mkdir(join(root, 'mcd', 'deep', 'a', 'x'), { recursive: true });
  await mkdir(join(outside, 'a', 'x'), { recursive: true });
  await writeFile(join(outside, 'secret.txt'), SENTINEL);
  await writeFile(join(outside, 'a', 'x', 'secret.txt'), SENTINEL);
  await writeFile(join(root, 'mcd', 'real', 'a', 'x'), 'inside');
  await symlink(outside, join(root, 'mcd', 'out'));
  await symlink(outside, join(root, 'mcd', 'real', 'out'));
  await symlink(join(root, 'mcd', 'real'), join(root, 'mcd', 'alias'));
  await symlink('.', join(root, 'mcd', 'deep', 'loop'));
  await symlink('../../..', join(root, 'mcd', 'deep', 'a', 'up'));
  await symlink(join(outside, 'secret.txt'), join(root, 'mcd', 'real', 'file-link'));
  return { root, outside };
}

describe.each([
  ['/proc/self/fd walk', undefined],
  ['path fallback', false],
])('FILESYSTEM confinement under random keys (%s)', (_mode, viaProc) => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'artemis-fs-property-'));
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  it.each(SEEDS)('seed %i: nothing outside the root is read, written, deleted or listed', async (seed) => {
    // Prepare
    const random = seededRandom(seed);
    const { root, outside } = await plantTree(join(base, `seed-${seed}`));
    const before = await snapshot(outside);
    const storage = new FilesystemStorage({
      root,
      prefix: 'mcd',
      publicUrl: 'http://127.0.0.1:1',
      signingSecret: 's',
      ...(viaProc === undefined ? {} : { viaProc }),
    });
    const randomKey = () =>
      Array.from({ length: 1 + random.below(4) }, () => random.pick(SEGMENTS))
        .join('/')
        .replace(/^\/+/, '');
    const seen: string[] = [];

    for (let step = 0; step < OPERATIONS_PER_SEED; step++) {
      const key = randomKey() || 'x';
      const kind = random.pick(['write', 'read', 'delete', 'list', 'signed'] as const);
      // Act
      let outcome: unknown;
      try {
        if (kind === 'write') outcome = await storage.write(key, `written-${seed}-${step}`);
        if (kind === 'read') outcome = (await streamToBuffer(await storage.read(key))).toString('utf8');
        if (kind === 'signed') {
          const url = new URL(await storage.presignedUrl(key, 60));
          const [expires, signature] = [url.searchParams.get('expires'), url.searchParams.get('signature')];
          outcome = (await streamToBuffer(await storage.openSigned(`mcd/${key}`, expires, signature))).toString();
        }
        if (kind === 'delete') outcome = await storage.delete(key);
        if (kind === 'list')
          outcome = await storage.list({ prefix: key, ...(random.below(2) ? { delimiter: '/' } : {}) });
      } catch (error) {
        // Assess: refusals are the agent's own errors (NotFound, Forbidden, a collision), never a raw fs failure
        if (!(error instanceof AgentError)) throw new Error(`seed ${seed} step ${step} ${kind} ${key}: ${error}`);
        outcome = error.name;
      }
      seen.push(`${kind} ${key} → ${typeof outcome === 'string' ? outcome : JSON.stringify(outcome)}`);

      // Assess
      const context = `seed ${seed} step ${step}: ${kind} ${JSON.stringify(key)}\n${seen.slice(-5).join('\n')}`;
      expect({ context, outside: await snapshot(outside) }).toEqual({ context, outside: before });
      expect({ context, read: String(outcome).includes(SENTINEL) }).toEqual({ context, read: false });
      if (kind === 'write' && outcome === undefined) {
        expect({ context, plain: await isPlainFile(join(root, 'mcd'), key) }).toEqual({ context, plain: true });
      }
      if (kind === 'list' && typeof outcome === 'object' && outcome !== null) {
        for (const object of (outcome as { objects: { key: string }[] }).objects) {
          expect({ context, plain: await isPlainFile(join(root, 'mcd'), object.key) }).toEqual({
            context,
            plain: true,
          });
        }
      }
    }
  });
});
