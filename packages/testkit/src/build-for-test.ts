import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metafile } from 'esbuild';
import { buildTarget, targets } from '../../../scripts/build';

/**
 * Builds targets into a fresh folder under the OS temp dir: outside the repository, so no node_modules can be
 * found above the bundle (what goes into an image), and parallel test files never race on dist/.
 */
export async function buildForTest(
  ...names: string[]
): Promise<{ dir: string; metafiles: Record<string, Metafile>; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'artemis-bundle-'));
  const metafiles: Record<string, Metafile> = {};
  for (const name of names) {
    const target = targets.find((candidate) => candidate.name === name);
    if (!target) throw new Error(`Unknown build target ${name}`);
    metafiles[name] = await buildTarget(target, dir);
  }
  return { dir, metafiles, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The repository root, where scripts/ and node_modules/.bin are. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
