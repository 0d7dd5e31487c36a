import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const loading = new Map<string, Promise<Record<string, unknown>>>();

/**
 * Imports a plugin module named in MCD_CONNECTOR_MODULES or MCD_DESTINATION_MODULES (a path, relative to `baseDir`,
 * or a package name), once per agent process: the connector and destination loaders read the same module (a plugin
 * may export both), and share one import instead of racing two (jest's ESM loader hands a second concurrent import
 * a namespace still in evaluation). A failed import is not kept, so the next start-up attempt tries again.
 */
export function importPluginModule(modulePath: string, baseDir = process.cwd()): Promise<Record<string, unknown>> {
  const specifier = isAbsolute(modulePath) || modulePath.startsWith('.') ? resolve(baseDir, modulePath) : modulePath;
  const url = isAbsolute(specifier) ? pathToFileURL(specifier).href : specifier;
  let module = loading.get(url);
  if (!module) {
    module = import(url) as Promise<Record<string, unknown>>;
    loading.set(url, module);
    module.catch(() => loading.delete(url));
  }
  return module;
}
