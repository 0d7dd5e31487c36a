import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Metafile } from 'esbuild';
import { buildForTest } from '../../packages/testkit/src/build-for-test';
import { azureLibraryBytes, staticClosure } from '../../packages/testkit/src/bundle-closure';

/*
 * SPEC §11 / perf-anchors G4-G5, read from esbuild's metafile of each target: the chunks a health check loads (the
 * entry and everything it imports statically; routes other than health are behind `import()`) contain no connector,
 * no cloud SDK or driver and no network client; the entry chunk stays under 64 KiB (Azure: beyond the
 * @azure/functions library it cannot do without), and an adapter adds little to the core's own health path. The
 * whole static closure against 64 KiB is a `pnpm bench adapters` figure: it is mostly the core's (zod alone is
 * 35 KiB), and it sits at the budget. Adapters import `@artemis/core/runtime`: see packages/core/src/runtime.ts.
 */
const FORBIDDEN =
  /node_modules\/(@aws-sdk|@smithy|@google-cloud\/storage|@google-cloud\/functions-framework|@azure\/storage-|@azure\/identity|@azure\/keyvault-|pg|pg-[\w-]+|mysql2|mssql|tedious|snowflake-sdk|googleapis|googleapis-common|google-auth-library|gaxios|trino-client|presto-client|axios|lossless-json|@databricks|thrift|apache-arrow|lz4-napi|express|body-parser|undici)\/|packages\/connectors\/src\/(?!index\.ts|native-catalog\.ts)/;
const HEALTH_ROUTE = 'packages/core/src/routes/health-route.ts';
const EXECUTE_ROUTE = 'packages/core/src/routes/execute-route.ts';
const KIB = 1024;

const ENTRIES = [
  ['lambda', 'packages/lambda/src/lambda-entry.ts'],
  ['cloudrun', 'packages/cloudrun/src/server-entry.ts'],
  ['azure', 'packages/azure/src/app-entry.ts'],
  ['generic', 'packages/generic/src/generic-entry.ts'],
] as const;

let bundle: Awaited<ReturnType<typeof buildForTest>>;

// Building four targets is minutes of CPU on a loaded 2-core machine: the hook's time is not what is tested.
beforeAll(async () => {
  bundle = await buildForTest(...ENTRIES.map(([target]) => target));
}, 180_000);
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

  it('keeps the entry chunk under 64 KiB (Azure: beyond @azure/functions)', async () => {
    // Prepare: the metafile the build wrote beside the bundle
    const metafile = JSON.parse(await readFile(join(bundle.dir, target, 'meta.json'), 'utf8')) as Metafile;
    // Act
    const [entryOutput] = Object.entries(metafile.outputs).find(([, output]) => output.entryPoint === entry) ?? [];
    const bytes = (metafile.outputs[entryOutput ?? '']?.bytes ?? 0) - azureLibraryBytes(metafile, [entryOutput ?? '']);
    // Assess: some bytes (the entry was found; the Cloud Run server's entry is under 1 KiB), under the budget
    expect(bytes).toBeGreaterThan(256);
    expect(bytes).toBeLessThanOrEqual(64 * KIB);
  });

  it("adds at most 8 KiB to what the core's own health path loads (the generic bundle)", async () => {
    // Prepare
    const metafile = bundle.metafiles[target] as Metafile;
    const generic = staticClosure(bundle.metafiles.generic as Metafile, 'packages/generic/src/generic-entry.ts');
    // Act
    const path = staticClosure(metafile, entry);
    const adapterShare = path.bytes - azureLibraryBytes(metafile, path.outputs) - generic.bytes;
    // Assess
    expect(generic.bytes).toBeGreaterThan(16 * KIB);
    expect(adapterShare).toBeLessThanOrEqual(8 * KIB);
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
