import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConnectorCatalog, ConnectorFactory, ConnectorLoader } from '../connectors/proxy-client';
import { OperationError } from '../errors/agent-errors';

/**
 * Which connection types this agent can serve: the native catalog (lazy loaders) plus the plugins named in
 * `MCD_CONNECTOR_MODULES`. Maps, not objects, so a type named `constructor` or `__proto__` is simply unknown.
 */
export class ConnectorDirectory {
  readonly #native = new Map<string, ConnectorLoader>();
  readonly #custom = new Map<string, { factory: ConnectorFactory; module: string }>();

  constructor(native: ConnectorCatalog) {
    for (const [type, loader] of Object.entries(native)) this.#native.set(type, loader);
  }

  async factoryFor(type: string): Promise<ConnectorFactory> {
    const custom = this.#custom.get(type);
    if (custom) return custom.factory;
    const loader = this.#native.get(type);
    if (!loader) throw new OperationError(`Connection type not supported by this agent: ${type}`);
    return loader();
  }

  types(): { native: string[]; custom: { type: string; module: string }[] } {
    return {
      native: [...this.#native.keys()].sort(),
      custom: [...this.#custom]
        .map(([type, { module }]) => ({ type, module }))
        .sort((a, b) => (a.type < b.type ? -1 : 1)),
    };
  }

  /** Imports each plugin module and registers its `connectors`; throws a PluginError naming the module. */
  async loadPlugins(modulePaths: readonly string[], baseDir = process.cwd()): Promise<void> {
    for (const modulePath of modulePaths) {
      const specifier =
        isAbsolute(modulePath) || modulePath.startsWith('.') ? resolve(baseDir, modulePath) : modulePath;
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
      for (const [type, factory] of Object.entries(connectors)) {
        if (typeof factory !== 'function') {
          throw new PluginError(`Connector module ${modulePath}: connectors.${type} is not a function`);
        }
        if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(type)) {
          throw new PluginError(`Connector module ${modulePath}: invalid connection type name ${JSON.stringify(type)}`);
        }
        if (this.#native.has(type) || this.#custom.has(type)) {
          throw new PluginError(`Connector module ${modulePath}: connection type ${type} is already defined`);
        }
        this.#custom.set(type, { factory: factory as ConnectorFactory, module: modulePath });
      }
    }
  }
}

export class PluginError extends Error {
  override readonly name = 'PluginError';
}
