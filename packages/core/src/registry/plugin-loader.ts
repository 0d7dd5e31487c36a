import type { ConnectorModule } from '../connectors/proxy-client';
import { PluginError } from '../errors/plugin-error';
import type { ConnectorDirectory } from './connector-directory';
import { type ConnectorManifest, connectorManifestSchema } from './connector-manifest';
import { importPluginModule } from './plugin-module';

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
    let loaded: { connectors?: unknown; manifests?: unknown };
    try {
      loaded = await importPluginModule(modulePath, baseDir);
    } catch (error) {
      throw new PluginError(`Cannot load connector module ${modulePath}: ${(error as Error).message}`);
    }
    const connectors = loaded.connectors;
    if (typeof connectors !== 'object' || connectors === null) {
      throw new PluginError(`Connector module ${modulePath} must export "connectors": { [type]: factory }`);
    }
    const manifests = readManifests(modulePath, loaded.manifests, connectors);
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
      directory.register(type, connector as ConnectorModule, modulePath, manifests.get(type));
    }
  }
}

/**
 * The module's optional `manifests` export: `{ [type]: manifest }` for types it defines. Each must be JSON (it is
 * served as it is) and match the manifest schema; a bad one stops start-up like any broken plugin.
 */
function readManifests(modulePath: string, exported: unknown, connectors: object): Map<string, ConnectorManifest> {
  const manifests = new Map<string, ConnectorManifest>();
  if (exported === undefined) return manifests;
  if (typeof exported !== 'object' || exported === null || Array.isArray(exported)) {
    throw new PluginError(`Connector module ${modulePath}: "manifests" must be an object { [type]: manifest }`);
  }
  for (const [type, manifest] of Object.entries(exported)) {
    if (!Object.hasOwn(connectors, type)) {
      throw new PluginError(`Connector module ${modulePath}: manifests.${type} names no connector of this module`);
    }
    let json: unknown;
    try {
      json = JSON.parse(JSON.stringify(manifest));
    } catch {
      throw new PluginError(`Connector module ${modulePath}: manifests.${type} must be JSON data`);
    }
    const parsed = connectorManifestSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PluginError(
        `Connector module ${modulePath}: manifests.${type}.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
      );
    }
    manifests.set(type, parsed.data);
  }
  return manifests;
}
