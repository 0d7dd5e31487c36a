/**
 * Bundles each runtime target with esbuild into dist/<target>/ (SPEC §1, §11): ESM with code splitting, so
 * connector and cloud SDK code sits in chunks loaded only when used; minified, with source maps; no node_modules
 * needed beside the bundle. `tsx scripts/build.ts [target ...]` builds the named targets (default: all).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';

export interface Target {
  readonly name: string;
  readonly entry: string;
  readonly external?: readonly string[];
}

export const targets: readonly Target[] = [{ name: 'generic', entry: 'packages/core/src/server/main.ts' }];

const root = join(import.meta.dirname, '..');

export async function buildTarget(target: Target): Promise<void> {
  const outdir = join(root, 'dist', target.name);
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const options: BuildOptions = {
    absWorkingDir: root,
    entryPoints: { index: target.entry },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    // 'module' first lets the AWS SDK tree-shake (S3: 575 → 418 KiB, perf-anchors §2.2).
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    // Error class names are part of the wire protocol (__mcd_exception__ "Name: message"), drivers' included.
    keepNames: true,
    legalComments: 'linked',
    external: [...(target.external ?? [])],
    // CommonJS dependencies inside an ESM bundle still call require(); give them one.
    banner: {
      js: "import { createRequire as __artemisCreateRequire } from 'node:module'; const require = __artemisCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  };
  const result = await build(options);
  await writeFile(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const selected = wanted.length > 0 ? targets.filter((target) => wanted.includes(target.name)) : targets;
  const unknown = wanted.filter((name) => !targets.some((target) => target.name === name));
  if (unknown.length > 0) throw new Error(`Unknown build target(s): ${unknown.join(', ')}`);
  for (const target of selected) {
    const started = Date.now();
    await buildTarget(target);
    console.error(`built dist/${target.name} in ${Date.now() - started} ms`);
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) await main();
