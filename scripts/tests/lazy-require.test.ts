import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LAZY_REQUIRE } from '../build';

/*
 * The `require` every bundled file declares (scripts/build.ts LAZY_REQUIRE) behaves as createRequire's for what
 * bundled CommonJS code asks of it — built-ins, a package beside the file, require.resolve — and loads node:module
 * only when something that is not a built-in is asked for (the cold-start saving it exists for).
 */
let scratch: string;

/** Runs a module made of the banner and `body` in a fresh node; returns what it printed as JSON. */
function runWithBanner(body: string): Record<string, unknown> {
  const file = join(scratch, `probe-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, `${LAZY_REQUIRE}\n${body}\n`);
  const run = spawnSync(process.execPath, [file], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

const MODULE_LOADED = `process.moduleLoadList.includes('NativeModule module')`;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'lazy-require-'));
  const pkg = join(scratch, 'node_modules', 'beside');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'beside', main: 'main.js' }));
  writeFileSync(join(pkg, 'main.js'), "module.exports = { answer: 42, fs: typeof require('fs').readFileSync };");
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the bundles’ lazy require', () => {
  it('answers built-ins, with and without the node: prefix, without loading node:module', () => {
    // Act
    const printed = runWithBanner(`
      const sameFs = require('fs') === require('node:fs');
      const hasJoin = typeof require('node:path').join === 'function';
      process.stdout.write(JSON.stringify({ sameFs, hasJoin, moduleLoaded: ${MODULE_LOADED} }));`);

    // Assess
    expect(printed).toEqual({ sameFs: true, hasJoin: true, moduleLoaded: false });
  });

  it('loads a package beside the file, and resolves one, through createRequire on first use', () => {
    // Act
    const printed = runWithBanner(`
      const before = ${MODULE_LOADED};
      const beside = require('beside');
      const resolved = require.resolve('beside');
      process.stdout.write(JSON.stringify({ before, beside, resolved, after: ${MODULE_LOADED} }));`);

    // Assess
    expect(printed).toEqual({
      before: false,
      beside: { answer: 42, fs: 'function' },
      resolved: join(scratch, 'node_modules', 'beside', 'main.js'),
      after: true,
    });
  });

  it('fails for a package that is not there as require does', () => {
    // Act
    const printed = runWithBanner(`
      let code;
      try { require('not-installed-anywhere'); } catch (error) { code = error.code; }
      process.stdout.write(JSON.stringify({ code }));`);

    // Assess
    expect(printed).toEqual({ code: 'MODULE_NOT_FOUND' });
  });
});
