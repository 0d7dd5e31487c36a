import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { build, type Metafile } from 'esbuild';
import { NATIVE_EXTERNALS } from '../../../../scripts/build';

const root = join(import.meta.dirname, '..', '..', '..', '..');

/** Every source file the entry chunk loads before any `await import()` runs: what health and ordinary requests pay. */
function staticInputs(metafile: Metafile, entry: string): string[] {
  const seen = new Set<string>();
  const pending = [entry];
  for (let output = pending.pop(); output; output = pending.pop()) {
    if (seen.has(output)) continue;
    seen.add(output);
    for (const imported of metafile.outputs[output]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) pending.push(imported.path);
    }
  }
  return [...seen].flatMap((output) => Object.keys(metafile.outputs[output]?.inputs ?? {}));
}

describe('the credentials code and its SDKs are loaded lazily', () => {
  it('the generic entry point statically loads neither the resolver, its sources nor any cloud SDK', async () => {
    // Prepare
    const outdir = join(tmpdir(), 'artemis-lazy-check');

    // Act
    const { metafile } = await build({
      absWorkingDir: root,
      entryPoints: { index: 'packages/generic/src/generic-entry.ts' },
      outdir,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      mainFields: ['module', 'main'],
      // What the real build leaves out (native addons of drivers), so this bundle builds as the images' do.
      external: [...NATIVE_EXTERNALS],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const entry = Object.keys(metafile.outputs).find((output) => output.endsWith('index.js')) ?? '';
    const eager = staticInputs(metafile, entry);
    const everything = Object.keys(metafile.inputs);

    // Assess: present in the bundle (reachable through dynamic imports) but not on the static path.
    const lazy = [
      'packages/core/src/credentials/self-hosted-resolver.ts',
      'packages/core/src/credentials/sources/aws-secrets-manager-source.ts',
      'packages/core/src/credentials/validate-credentials-route.ts',
      'packages/core/src/credentials/aws-ca-bundle.ts',
    ];
    expect(lazy.filter((file) => everything.includes(file))).toEqual(lazy);
    expect(eager.filter((file) => lazy.includes(file))).toEqual([]);
    expect(
      eager.filter((file) => /node_modules\/.*(@aws-sdk|@smithy|@google-cloud|google-gax|@azure)/.test(file)),
    ).toEqual([]);
    expect(eager).toContain('packages/core/src/credentials/is-self-hosted.ts');
  });
});
