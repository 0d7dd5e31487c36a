import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConnectorCatalog, ConnectorLoader, ConnectorModule } from '../connectors/proxy-client';
import { OperationError } from '../errors/agent-errors';

/**
 * Which connection types this agent can serve: the native catalog (lazy loaders) plus the plugins named in
 * `MCD_CONNECTOR_MODULES`. Maps, not objects, so a type named `constructor` or `__proto__` is simply unknown.
 */
export class ConnectorDirectory {
  readonly #native = new Map<string, ConnectorLoader>();
  readonly #custom = new Map<string, { connector: ConnectorModule; module: string }>();

  constructor(native: ConnectorCatalog) {
    for (const [type, loader] of Object.entries(native)) this.#native.set(type, loader);
  }

  async connectorFor(type: string): Promise<ConnectorModule> {
    const custom = this.#custom.get(type);
    if (custom) return custom.connector;
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
        if (this.#native.has(type) || this.#custom.has(type)) {
          throw new PluginError(`Connector module ${modulePath}: connection type ${type} is already defined`);
        }
        this.#custom.set(type, { connector: connector as ConnectorModule, module: modulePath });
      }
    }
  }
}

export class PluginError extends Error {
  override readonly name = 'PluginError';
}
