import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Metafile } from 'esbuild';
import { buildForTest } from '../src/build-for-test';
import { azureLibraryBytes, staticClosure } from '../src/bundle-closure';

/*
 * SPEC §11 / perf-anchors G4-G5, read from esbuild's metafile of each target: the chunks a health check loads (the
 * entry and everything it imports statically; routes other than health are behind `import()`) contain no connector
 * and no cloud SDK or driver, and stay under 64 KiB (Azure: beyond the @azure/functions library it cannot do
 * without). Adapters import `@artemis/core/runtime` for this: see packages/core/src/runtime.ts.
 */
const FORBIDDEN =
  /node_modules\/(@aws-sdk|@smithy|@google-cloud\/storage|@google-cloud\/functions-framework|@azure\/storage-|@azure\/identity|@azure\/keyvault-|pg|pg-[\w-]+|mysql2|mssql|tedious|snowflake-sdk|express|body-parser|undici)\/|packages\/connectors\/src\/(?!index\.ts|native-catalog\.ts)/;
const HEALTH_ROUTE = 'packages/core/src/routes/health-route.ts';
const EXECUTE_ROUTE = 'packages/core/src/routes/execute-route.ts';
const KIB = 1024;

const ENTRIES = [
  ['lambda', 'packages/lambda/src/lambda-entry.ts'],
  ['cloudrun', 'packages/cloudrun/src/server-entry.ts'],
  ['azure', 'packages/azure/src/app-entry.ts'],
  ['generic', 'packages/core/src/server/main.ts'],
] as const;

let bundle: Awaited<ReturnType<typeof buildForTest>>;

beforeAll(async () => {
  bundle = await buildForTest(...ENTRIES.map(([target]) => target));
});
afterAll(() => bundle?.remove());

describe.each(ENTRIES)('the %s bundle health path', (target, entry) => {
  it('loads the health route but no connector, cloud SDK or driver', async () => {
    // Prepare
    const metafile = bundle.metafiles[target] as Metafile;
    // Act
    const path = staticClosure(metafile, entry);
    // Assess
    expect(path.inputs).toContain(HEALTH_ROUTE);
    expect(path.inputs).not.toContain(EXECUTE_ROUTE);
    expect(path.inputs.filter((input) => FORBIDDEN.test(input))).toEqual([]);
  });

  it('keeps the chunks a health check loads under 64 KiB (Azure: beyond @azure/functions)', async () => {
    // Prepare: the metafile the build wrote beside the bundle
    const metafile = JSON.parse(await readFile(join(bundle.dir, target, 'meta.json'), 'utf8')) as Metafile;
    // Act
    const path = staticClosure(metafile, entry);
    const library = azureLibraryBytes(metafile, path.outputs);
    // Assess
    expect(path.bytes - library).toBeGreaterThan(8 * KIB);
    expect(path.bytes - library).toBeLessThanOrEqual(64 * KIB);
  });

  it('loads no network client module for a health check (https, dns, the network guard)', async () => {
    // Prepare
    const metafile = bundle.metafiles[target] as Metafile;
    // Act
    const path = staticClosure(metafile, entry);
    const externals = path.outputs.flatMap((output) =>
      (metafile.outputs[output]?.imports ?? []).filter((i) => i.external).map((i) => i.path),
    );
    // Assess
    expect(externals.filter((name) => /^(node:)?(https|dns|dns\/promises|tls)$/.test(name))).toEqual([]);
    expect(path.inputs.filter((input) => /network-guard|ipaddr/.test(input))).toEqual([]);
  });
});
