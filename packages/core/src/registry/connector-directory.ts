import type { ConnectorCatalog, ConnectorLoader, ConnectorModule } from '../connectors/proxy-client';
import { OperationError } from '../errors/agent-errors';
import { type ConnectorManifest, displayName, publicManifest } from './connector-manifest';

/**
 * Which connection types this agent can serve: the native catalog (lazy loaders) plus the plugins named in
 * `MCD_CONNECTOR_MODULES`. Maps, not objects, so a type named `constructor` or `__proto__` is simply unknown.
 */
export class ConnectorDirectory {
  readonly #native = new Map<string, ConnectorLoader>();
  readonly #custom = new Map<
    string,
    { connector: ConnectorModule; module: string; manifest: ConnectorManifest | undefined }
  >();

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

  /** The connector-types route's lists, as Apollo shapes them: custom entries are `{type, name}`. */
  types(): { native: string[]; custom: { type: string; name: string }[] } {
    return {
      native: [...this.#native.keys()].sort(),
      custom: this.#customTypes().map((type) => ({ type, name: displayName(type, this.#custom.get(type)?.manifest) })),
    };
  }

  /** The manifests route: `{type: {manifest, templates}}` for every plugin connector. */
  manifests(): Record<string, ReturnType<typeof publicManifest>> {
    return Object.fromEntries(
      this.#customTypes().map((type) => [type, publicManifest(type, this.#custom.get(type)?.manifest)]),
    );
  }

  /** A plugin connector's manifest, if its module exported one. */
  manifestOf(type: string): ConnectorManifest | undefined {
    return this.#custom.get(type)?.manifest;
  }

  /** The module a plugin type came from (start-up logs and errors only: never sent to the control plane). */
  moduleOf(type: string): string | undefined {
    return this.#custom.get(type)?.module;
  }

  #customTypes(): string[] {
    return [...this.#custom.keys()].sort();
  }

  has(type: string): boolean {
    return this.#native.has(type) || this.#custom.has(type);
  }

  /** Adds a plugin's connection type (see plugin-loader.ts). */
  register(type: string, connector: ConnectorModule, module: string, manifest?: ConnectorManifest): void {
    this.#custom.set(type, { connector, module, manifest });
  }
}
