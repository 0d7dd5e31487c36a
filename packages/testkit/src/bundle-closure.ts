import type { Metafile } from 'esbuild';

/**
 * What a process loads before the first line of an entry runs: the entry's output and every chunk it imports
 * statically (`import()` chunks load only when used), read from esbuild's metafile.
 */
export function staticClosure(
  metafile: Metafile,
  entry: string,
): { outputs: string[]; inputs: string[]; bytes: number } {
  const start = Object.keys(metafile.outputs).find((path) => metafile.outputs[path]?.entryPoint === entry);
  if (!start) throw new Error(`No output for ${entry}`);
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    const path = queue.pop() as string;
    if (seen.has(path)) continue;
    seen.add(path);
    for (const imported of metafile.outputs[path]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) queue.push(imported.path);
    }
  }
  const outputs = [...seen];
  const inputs = outputs.flatMap((path) => Object.keys(metafile.outputs[path]?.inputs ?? {}));
  const bytes = outputs.reduce((sum, path) => sum + (metafile.outputs[path]?.bytes ?? 0), 0);
  return { outputs, inputs, bytes };
}

/** @azure/functions and the packages it depends on: the library an Azure app cannot do without. */
const AZURE_LIBRARY = /node_modules\/(@azure\/functions|@azure\/functions-extensions-base|cookie)\//;

/** Bytes of the outputs that come from the Azure Functions library (the floor perf-anchors G5 measures over). */
export function azureLibraryBytes(metafile: Metafile, outputs: readonly string[]): number {
  return outputs
    .flatMap((output) => Object.entries(metafile.outputs[output]?.inputs ?? {}))
    .filter(([input]) => AZURE_LIBRARY.test(input))
    .reduce((sum, [, used]) => sum + used.bytesInOutput, 0);
}
