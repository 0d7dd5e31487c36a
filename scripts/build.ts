/**
 * Bundles each runtime target with esbuild into dist/<target>/ (SPEC §1, §11): ESM with code splitting, so
 * connector and cloud SDK code sits in chunks loaded only when used; minified, with source maps; no node_modules
 * needed beside the bundle. `tsx scripts/build.ts [target ...]` builds the named targets (default: all).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';

export interface Target {
  readonly name: string;
  /** Output name (without .mjs) → source. `index` is the entry images and tools rely on. */
  readonly entries: Readonly<Record<string, string>>;
  readonly external?: readonly string[];
  /** Files written beside the bundle (name → content), e.g. the Functions app's host.json and package.json. */
  readonly files?: () => Promise<Readonly<Record<string, string>>>;
}

const root = join(import.meta.dirname, '..');

/**
 * Native addons no target bundles (esbuild cannot: they are .node binaries). @databricks/sql loads both in a
 * try/require and does without: `lz4-napi` decodes LZ4-compressed result batches (without it the driver asks the
 * warehouse for uncompressed ones), the kernel binaries serve an opt-in backend Artemis never selects (`useKernel`).
 */
export const NATIVE_EXTERNALS = ['lz4-napi', '@databricks/databricks-sql-kernel-*'];

export const targets: readonly Target[] = [
  { name: 'generic', entries: { index: 'packages/generic/src/generic-entry.ts' } },
  // `index.handler`: the handler of the Lambda image and of a zip upload of dist/lambda.
  { name: 'lambda', entries: { index: 'packages/lambda/src/lambda-entry.ts' } },
  {
    name: 'cloudrun',
    // index: the image's own server; function: the functions-framework registration (gcloud functions deploy).
    entries: { index: 'packages/cloudrun/src/server-entry.ts', function: 'packages/cloudrun/src/function-entry.ts' },
    // The registration must reach the CLI's own registry, so the framework is the one installed beside it.
    external: ['@google-cloud/functions-framework'],
    files: async () => ({ 'package.json': await cloudRunPackageJson() }),
  },
  {
    name: 'azure',
    entries: { index: 'packages/azure/src/app-entry.ts' },
    // Provided by the Functions worker at run time (azure-functions-nodejs-library#256).
    external: ['@azure/functions-core'],
    files: async () => ({
      'host.json': await readFile(join(root, 'packages/azure/host.json'), 'utf8'),
      // `main` names one bundled file: a glob breaks discovery in zip deploys (azure-functions-nodejs-library#260).
      'package.json': `${JSON.stringify({ name: 'artemis-agent', private: true, type: 'module', main: 'index.mjs' }, null, 2)}\n`,
    }),
  },
];

/** For `gcloud functions deploy --source dist/cloudrun`: the framework is installed by the platform's build. */
async function cloudRunPackageJson(): Promise<string> {
  const manifest = JSON.parse(await readFile(join(root, 'packages/cloudrun/package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const framework = '@google-cloud/functions-framework';
  const pkg = {
    name: 'artemis-agent',
    private: true,
    type: 'module',
    main: 'function.mjs',
    scripts: { start: `functions-framework --target=artemis` },
    dependencies: { [framework]: manifest.dependencies[framework] },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/**
 * Dependencies that read their own package.json from disk when they load, a file the bundle does not ship:
 * presto-client's index.js reads its version with `fs.readFileSync(__dirname + '/package.json')`, so its chunk could
 * not even be imported. The read is replaced by the manifest's content at build time.
 */
const OWN_MANIFEST_READERS = /[\\/]node_modules[\\/]presto-client[\\/]index\.js$/;
const OWN_MANIFEST_READ = /fs\.readFileSync\(__dirname \+ '\/package\.json'\)/g;

export const inlineOwnManifest: Plugin = {
  name: 'inline-own-manifest',
  setup(esbuild) {
    esbuild.onLoad({ filter: OWN_MANIFEST_READERS }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const manifest = await readFile(join(dirname(args.path), 'package.json'), 'utf8');
      const contents = source.replace(OWN_MANIFEST_READ, () => JSON.stringify(manifest));
      if (contents === source) throw new Error(`${args.path} no longer reads its package.json as expected`);
      return { contents, loader: 'js' };
    });
  },
};

/**
 * The `require` every output file declares for the CommonJS code inside it. Built-ins come from
 * `process.getBuiltinModule` and anything else from a `createRequire` made on first use: a `createRequire` per file
 * at load (the banner esbuild's docs suggest) imported `node:module` and resolved a file URL in each of the ~20
 * files a health check loads, about 9 M instructions of a cold start (callgrind), for a function the health path
 * never calls.
 */
export const LAZY_REQUIRE = [
  // Written minified, as it is repeated in every output file (~20 of them on a health check's path).
  'let __artemisRequire;',
  'const __artemisCreateRequire=()=>__artemisRequire??=process.getBuiltinModule("node:module").createRequire(import.meta.url),',
  'require=Object.assign(i=>process.getBuiltinModule(i)??__artemisCreateRequire()(i),',
  '{resolve:(i,o)=>__artemisCreateRequire().resolve(i,o)});',
].join('');

/** Builds one target into `<outRoot>/<target>/` (dist/ by default; tests build into a temporary folder). */
export async function buildTarget(target: Target, outRoot = join(root, 'dist')): Promise<Metafile> {
  const outdir = join(outRoot, target.name);
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const options: BuildOptions = {
    absWorkingDir: root,
    entryPoints: { ...target.entries },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
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
    external: [...NATIVE_EXTERNALS, ...(target.external ?? [])],
    // CommonJS dependencies inside an ESM bundle still read __dirname and __filename (grpc-js and google-gax build
    // proto paths from them when their module loads): give them the module's own, which Node 22 has on import.meta.
    // Only free occurrences are replaced, so code that declares its own is left alone.
    define: { __dirname: 'import.meta.dirname', __filename: 'import.meta.filename' },
    // CommonJS dependencies inside an ESM bundle still call require(); give them one.
    banner: { js: LAZY_REQUIRE },
    plugins: [inlineOwnManifest],
    logLevel: 'warning',
  };
  const result = await build(options);
  const metafile = result.metafile as Metafile;
  await writeFile(join(outdir, 'meta.json'), JSON.stringify(metafile));
  for (const [name, content] of Object.entries((await target.files?.()) ?? {})) {
    await writeFile(join(outdir, name), content);
  }
  return metafile;
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
