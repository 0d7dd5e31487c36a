import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConnectorModule } from '../connectors/proxy-client';
import { PluginError } from '../errors/plugin-error';
import type { ConnectorDirectory } from './connector-directory';

/**
 * Loads the plugins named in MCD_CONNECTOR_MODULES into the directory. A module of its own, imported only when that
 * variable is set, so the health path of an agent without plugins does not carry it.
 */
export async function loadPlugins(
  directory: ConnectorDirectory,
  modulePaths: readonly string[],
  baseDir = process.cwd(),
): Promise<void> {
  for (const modulePath of modulePaths) {
    const specifier = isAbsolute(modulePath) || modulePath.startsWith('.') ? resolve(baseDir, modulePath) : modulePath;
    let loaded: { connectors?: unknown };
    try {
      loaded = (await import(isAbsolute(specifier) ? pathToFileURL(specifier).href : specifier)) as typeof loaded;
    } catch (error) {
      throw new PluginError(`Cannot load connector module ${modulePath}: ${(error as Error).message}`);
    }
    const connectors = loaded.connectors;
    if (typeof connectors !== 'object' || connectors === null) {
      throw new PluginError(`Connector module ${modulePath} must export "connectors": { [type]: factory }`);
    }
    for (const [type, exported] of Object.entries(connectors)) {
      const connector: unknown = typeof exported === 'function' ? { create: exported } : exported;
      if (typeof (connector as ConnectorModule | null)?.create !== 'function') {
        throw new PluginError(
          `Connector module ${modulePath}: connectors.${type} must be a factory function or { create, credentialsSchema? }`,
        );
      }
      if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(type)) {
        throw new PluginError(`Connector module ${modulePath}: invalid connection type name ${JSON.stringify(type)}`);
      }
      if (directory.has(type)) {
        throw new PluginError(`Connector module ${modulePath}: connection type ${type} is already defined`);
      }
      directory.register(type, connector as ConnectorModule, modulePath);
    }
  }
}
