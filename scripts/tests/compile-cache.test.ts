import { spawnSync } from 'node:child_process';
import { appendFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildForTest } from '../../packages/testkit/src/build-for-test';

/*
 * scripts/warm-compile-cache.mjs, as the Dockerfile runs it: it warms Node's compile cache for a built bundle, the
 * bundle then starts from that cache, and a cache Node cannot use (not a folder, stale, corrupt) changes nothing
 * but speed: the bundle answers, and says nothing about it.
 */
const WARM = join(import.meta.dirname, '..', 'warm-compile-cache.mjs');
const NODE_WITH_HEAP = join(import.meta.dirname, '..', 'image', 'node-with-heap');
// Node's own debug line (NODE_DEBUG_NATIVE=COMPILE_CACHE): "cache for file://…" on 22, "… for ESM file://…" on 24.
const ACCEPTED = /cache for (?:ESM )?file:\/\/\S+\/index\.mjs was accepted/;

/** A Lambda cold start: import the handler, answer one health event, print the status. */
const COLD_START = `const { handler } = await import(process.argv[2]);
const result = await handler({ version: '2.0', rawPath: '/api/v1/test/health', rawQueryString: '', headers: {},
  requestContext: { http: { method: 'GET' } }, isBase64Encoded: false });
process.stdout.write(String(result.statusCode));
`;

let bundle: Awaited<ReturnType<typeof buildForTest>>;
let scratch: string;
let coldStart: string;

beforeAll(async () => {
  bundle = await buildForTest('lambda', 'generic');
  scratch = await mkdtemp(join(tmpdir(), 'compile-cache-'));
  coldStart = join(scratch, 'cold-start.mjs');
  writeFileSync(coldStart, COLD_START);
});
afterAll(async () => {
  await bundle?.remove();
  rmSync(scratch, { recursive: true, force: true });
});

const env = (cache: string, extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? '',
  MCD_STORAGE: 'FILESYSTEM',
  MCD_STORAGE_PATH: join(scratch, 'storage'),
  MCD_LOG_LEVEL: 'error',
  NODE_COMPILE_CACHE: cache,
  ...extra,
});

/** Warms `cache` for a bundle of `bundle.dir` (`kind` as the Dockerfile passes it). */
function warm(kind: 'lambda' | 'server', target: string, cache: string) {
  return spawnSync(process.execPath, [WARM, kind, join(bundle.dir, target, 'index.mjs'), '--cache', cache], {
    env: env(cache),
    encoding: 'utf8',
  });
}

/** A Lambda cold start with the given cache: the health answer's status, and whether Node used the cache. */
function coldLambda(cache: string, target = join(bundle.dir, 'lambda', 'index.mjs')) {
  const result = spawnSync(process.execPath, [coldStart, target], {
    env: env(cache, { NODE_DEBUG_NATIVE: 'COMPILE_CACHE' }),
    encoding: 'utf8',
  });
  const lines = result.stderr.split('\n');
  return {
    status: result.stdout,
    accepted: lines.some((line) => ACCEPTED.test(line)),
    // What the agent itself printed: everything but Node's compile-cache debug lines.
    stderr: lines.filter((line) => line !== '' && !line.startsWith('[compile cache]')),
  };
}

/** The cache folders Node wrote: `v<version>-<arch>-<V8 flags hash>-<uid>`, each with one file per module. */
function cacheFolders(cache: string): { name: string; entries: number }[] {
  return readdirSync(cache).map((name) => ({ name, entries: readdirSync(join(cache, name)).length }));
}

describe('warm-compile-cache', () => {
  it.each([
    ['lambda', 'lambda'],
    ['server', 'generic'],
  ] as const)('warms a cache for the %s bundle (%s) under this Node, user and flags', (kind, target) => {
    // Prepare
    const cache = join(scratch, `warm-${target}`);

    // Act
    const result = warm(kind, target, cache);

    // Assess
    expect(result.status).toBe(0);
    const folders = cacheFolders(cache);
    expect(folders).toEqual([
      {
        name: expect.stringMatching(
          new RegExp(`^${process.version}-${process.arch}-[0-9a-f]{8}-${process.getuid?.()}$`),
        ),
        entries: expect.any(Number),
      },
    ]);
    // The entry, the chunks a health check loads, and every other chunk (compiled by importing it).
    const chunks = readdirSync(join(bundle.dir, target, 'chunks')).filter((name) => name.endsWith('.mjs')).length;
    expect(folders[0]?.entries).toBeGreaterThan(chunks / 2);
  });

  it('gives a cold start the cached code of the bundle', () => {
    // Prepare
    const cache = join(scratch, 'used');
    expect(warm('lambda', 'lambda', cache).status).toBe(0);

    // Act
    const cold = coldLambda(cache);

    // Assess
    expect(cold).toEqual({ status: '200', accepted: true, stderr: [] });
  });

  it('starts silently without it when the cache folder cannot be used', () => {
    // Prepare: a file where the folder should be, so Node can neither read nor create it
    const cache = join(scratch, 'not-a-folder');
    writeFileSync(cache, 'x');

    // Act
    const cold = coldLambda(cache);

    // Assess
    expect(cold).toEqual({ status: '200', accepted: false, stderr: [] });
  });

  it('starts silently without it when every cached entry is corrupt', () => {
    // Prepare
    const cache = join(scratch, 'corrupt');
    expect(warm('lambda', 'lambda', cache).status).toBe(0);
    for (const folder of readdirSync(cache)) {
      for (const entry of readdirSync(join(cache, folder))) writeFileSync(join(cache, folder, entry), 'garbage');
    }

    // Act
    const cold = coldLambda(cache);

    // Assess
    expect(cold).toEqual({ status: '200', accepted: false, stderr: [] });
  });

  it('starts silently without it when the bundle changed after the warm-up (a stale cache)', async () => {
    // Prepare
    const copy = await buildForTest('lambda');
    try {
      const cache = join(scratch, 'stale');
      const entry = join(copy.dir, 'lambda', 'index.mjs');
      expect(spawnSync(process.execPath, [WARM, 'lambda', entry, '--cache', cache], { env: env(cache) }).status).toBe(
        0,
      );
      appendFileSync(entry, '\n// rebuilt\n');

      // Act
      const cold = coldLambda(cache, entry);

      // Assess
      expect(cold).toEqual({ status: '200', accepted: false, stderr: [] });
    } finally {
      await copy.remove();
    }
  });

  it('warms, through the exec wrapper, the cache a server started with a memory limit looks for', () => {
    // Prepare: the heap flag node-with-heap adds is part of the cache key (a V8 flag): without the wrapper the
    // warm-up fills a cache that a server started as the image starts it (`node-with-heap index.mjs`) never reads.
    const cache = join(scratch, 'wrapped');
    const entry = join(bundle.dir, 'generic', 'index.mjs');
    const args = ['server', entry, '--cache', cache, '--exec-wrapper', NODE_WITH_HEAP, '--memory-sizes', '512'];

    // Act
    const warmed = spawnSync(process.execPath, [WARM, ...args], { env: env(cache), encoding: 'utf8' });
    const started = spawnSync(
      NODE_WITH_HEAP,
      [process.execPath, '--input-type=module', '-e', `await import(${JSON.stringify(entry)}); process.exit(0);`],
      {
        env: env(cache, { ARTEMIS_MEMORY_MIB: '512', PORT: '0', NODE_DEBUG_NATIVE: 'COMPILE_CACHE' }),
        encoding: 'utf8',
      },
    );

    // Assess: the wrapped start accepted its entry from the cache. Node 22 keys the cache by the heap flag too (one
    // folder without a limit, one for 512 MiB); Node 24 leaves heap sizes out of the key (one folder serves both).
    expect(warmed.status).toBe(0);
    expect(cacheFolders(cache)).toHaveLength(process.versions.node.startsWith('22.') ? 2 : 1);
    expect(started.stderr.split('\n').some((line) => ACCEPTED.test(line))).toBe(true);
  });
});
