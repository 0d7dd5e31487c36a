import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildForTest } from '../../packages/testkit/src/build-for-test';

/*
 * Every chunk of every bundle can be imported on its own, in plain node with no node_modules around: that is what
 * a connector's first use does at run time, and what the images' compile-cache warm-up does at build time. A chunk
 * whose module code needs something the bundle lacks (a CommonJS global, a missing file) fails here, not in a
 * customer's account.
 */
const TARGETS = ['lambda', 'cloudrun', 'azure', 'generic'];

/** Imports each chunk named on the command line; prints the failures as JSON. */
const IMPORTER = `const failed = {};
for (const chunk of process.argv.slice(2)) {
  try { await import(chunk); } catch (error) { failed[chunk.split('/').pop()] = error.message; }
}
process.stdout.write(JSON.stringify(failed));
process.exit(0);
`;

let bundle: Awaited<ReturnType<typeof buildForTest>>;
let scratch: string;

beforeAll(async () => {
  bundle = await buildForTest(...TARGETS);
  scratch = await mkdtemp(join(tmpdir(), 'bundle-chunks-'));
  writeFileSync(join(scratch, 'importer.mjs'), IMPORTER);
});
afterAll(async () => {
  await bundle?.remove();
  rmSync(scratch, { recursive: true, force: true });
});

describe.each(TARGETS)('the %s bundle', (target) => {
  it('has no chunk that fails to import', () => {
    // Prepare
    const chunks = join(bundle.dir, target, 'chunks');
    const files = readdirSync(chunks)
      .filter((name) => name.endsWith('.mjs'))
      .map((name) => join(chunks, name));

    // Act
    const result = spawnSync(process.execPath, [join(scratch, 'importer.mjs'), ...files], {
      env: { PATH: process.env.PATH ?? '', MCD_LOG_LEVEL: 'silent' },
      encoding: 'utf8',
    });

    // Assess
    expect(result.status).toBe(0);
    expect(files.length).toBeGreaterThan(10);
    expect(JSON.parse(result.stdout)).toEqual({});
  });
});
