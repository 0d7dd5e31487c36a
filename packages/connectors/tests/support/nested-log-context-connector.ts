import { type ConnectorCatalog, type ConnectorLoader, type ProxyClient, runWithLogContext } from '@artemis/core';

/**
 * A native SQL connector as a plugin author might wrap it: every cursor call runs inside a log context of its own
 * (`runWithLogContext`, e.g. to tag its lines), so the connector's code never runs in the context object the core
 * created for the request.
 */
interface Cursor {
  readonly description: unknown;
  readonly rowcount: unknown;
  execute(query: string, params?: unknown): Promise<unknown>;
  fetchone(): Promise<unknown>;
  fetchmany(size?: number): Promise<unknown>;
  fetchall(): Promise<unknown>;
  close(): Promise<unknown>;
}

/** The DB-API cursor, each call one step deeper in a log context of its own. */
class NestedCursor {
  readonly #cursor: Cursor;
  constructor(cursor: Cursor) {
    this.#cursor = cursor;
  }
  get description() {
    return this.#cursor.description;
  }
  get rowcount() {
    return this.#cursor.rowcount;
  }
  execute(query: string, params?: unknown) {
    return runWithLogContext({ step: 'execute' }, () => this.#cursor.execute(query, params));
  }
  fetchone() {
    return runWithLogContext({ step: 'fetchone' }, () => this.#cursor.fetchone());
  }
  fetchmany(size?: number) {
    return runWithLogContext({ step: 'fetchmany' }, () => this.#cursor.fetchmany(size));
  }
  fetchall() {
    return runWithLogContext({ step: 'fetchall' }, () => this.#cursor.fetchall());
  }
  close() {
    return runWithLogContext({ step: 'close' }, () => this.#cursor.close());
  }
}

/** `nested_<type>` for each of `types`: the native connector, its cursor calls in nested log contexts. */
export function nestedLogContextConnectors(natives: ConnectorCatalog, types: readonly string[]): ConnectorCatalog {
  const wrap =
    (loader: ConnectorLoader): ConnectorLoader =>
    async () => {
      const native = await loader();
      return {
        create: async (credentials, context) => {
          const inner = await native.create(credentials, context);
          const connection = inner.wrappedClient as { cursor(): Cursor };
          const client: ProxyClient = {
            wrappedClient: { cursor: () => new NestedCursor(connection.cursor()) },
            // Every lifecycle hook the native client has, passed through unchanged.
            processResult: inner.processResult?.bind(inner),
            errorType: inner.errorType?.bind(inner),
            errorAttrs: inner.errorAttrs?.bind(inner),
            endOperation: inner.endOperation?.bind(inner),
            close: inner.close?.bind(inner),
          };
          return client;
        },
      };
    };
  const catalog: Record<string, ConnectorLoader> = {};
  for (const type of types) {
    const loader = natives[type];
    if (!loader) throw new Error(`no native connector ${type}`);
    catalog[`nested_${type}`] = wrap(loader);
  }
  return catalog;
}
