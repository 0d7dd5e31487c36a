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

  has(type: string): boolean {
    return this.#native.has(type) || this.#custom.has(type);
  }

  /** Adds a plugin's connection type (see plugin-loader.ts). */
  register(type: string, connector: ConnectorModule, module: string): void {
    this.#custom.set(type, { connector, module });
  }
}
