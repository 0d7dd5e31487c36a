import { LRUCache } from 'lru-cache';
import type { ConnectorContext, ConnectorModule, Credentials, ProxyClient } from '../connectors/proxy-client';
import type { Logger } from '../logging/logger';
import type { ConnectorDirectory } from './connector-directory';
import { credentialsKey } from './credentials-key';

/**
 * Proxy clients cached by connection type + credentials hash (SPEC §5). lru-cache gives the TTL and the LRU bound;
 * on top of it: single-flight creation (the cache holds the creation promise, so concurrent requests share one
 * client), and leases, so a client evicted or disposed while a request still uses it is closed when that request
 * ends rather than under its feet.
 */

export interface ClientLease {
  readonly client: ProxyClient;
  /** Ends the lease; after an error the cached client is disposed (a broken connection is not reused). */
  release(outcome: 'success' | 'error'): Promise<void>;
}

export interface ClientRegistryOptions {
  readonly directory: ConnectorDirectory;
  readonly ttlSeconds: number;
  readonly maxEntries: number;
  readonly logger: Logger;
  readonly contextFor: (connectionType: string) => ConnectorContext;
  /**
   * Shapes the credentials before the connector sees them (SPEC §9.1, the credential pipeline), with `pipeline` the
   * request's own when it sent one. `dispose` runs when the client is closed (the pipeline's temp files).
   */
  readonly prepareCredentials?: (
    type: string,
    connector: ConnectorModule,
    credentials: Credentials,
    pipeline: unknown,
  ) => Promise<{ credentials: Credentials; dispose: () => Promise<void> }>;
}

export interface AcquireOptions {
  readonly skipCache?: boolean;
  /** A request's own credential pipeline (`ctp_config`): its client is never shared, as in Apollo. */
  readonly pipeline?: unknown;
}

interface Entry {
  readonly type: string;
  client: Promise<ProxyClient>;
  leases: number;
  retired: boolean;
  /** Set on the first close; later callers (shutdown after an eviction) wait for that same close. */
  closing: Promise<void> | undefined;
  dispose: (() => Promise<void>) | undefined;
}

export class ClientRegistry {
  readonly #options: ClientRegistryOptions;
  readonly #cache: LRUCache<string, Entry> | undefined;

  constructor(options: ClientRegistryOptions) {
    this.#options = options;
    // TTL 0 disables caching (lru-cache would read 0 as "no TTL", i.e. forever).
    this.#cache =
      options.ttlSeconds > 0
        ? new LRUCache<string, Entry>({
            max: options.maxEntries,
            ttl: options.ttlSeconds * 1000,
            ttlAutopurge: true,
            updateAgeOnGet: false,
            dispose: (entry) => this.#retire(entry),
          })
        : undefined;
  }

  async acquire(type: string, credentials: Credentials, options: AcquireOptions = {}): Promise<ClientLease> {
    if (options.skipCache || options.pipeline !== undefined || !this.#cache) {
      const entry = this.#newEntry(type, credentials, options.pipeline);
      entry.retired = true; // never shared: closed as soon as its one lease ends
      return this.#lease(entry, undefined);
    }
    const key = credentialsKey(type, credentials);
    let entry = this.#cache.get(key);
    if (entry) {
      this.#options.logger.debug(`Using cached client for ${type}`);
    } else {
      entry = this.#newEntry(type, credentials, undefined);
      this.#cache.set(key, entry);
      const created = entry;
      // A failed creation is not cached: the next request tries again.
      created.client.catch(() => this.#cache?.get(key) === created && this.#cache.delete(key));
    }
    return this.#lease(entry, key);
  }

  /** Closes every cached client (shutdown). */
  async closeAll(): Promise<void> {
    const entries = this.#cache ? [...this.#cache.values()] : [];
    this.#cache?.clear();
    await Promise.all(entries.map((entry) => this.#close(entry)));
  }

  get size(): number {
    return this.#cache?.size ?? 0;
  }

  async #lease(entry: Entry, key: string | undefined): Promise<ClientLease> {
    entry.leases++;
    let client: ProxyClient;
    try {
      client = await entry.client;
    } catch (error) {
      entry.leases--;
      throw error;
    }
    let released = false;
    return {
      client,
      release: async (outcome) => {
        if (released) return;
        released = true;
        entry.leases--;
        if (outcome === 'error' && key !== undefined && this.#cache?.peek(key) === entry) this.#cache.delete(key);
        if (entry.retired && entry.leases === 0) await this.#close(entry);
      },
    };
  }

  #newEntry(type: string, credentials: Credentials, pipeline: unknown): Entry {
    const { directory, contextFor, logger, prepareCredentials } = this.#options;
    const entry: Entry = {
      type,
      client: Promise.resolve({}),
      leases: 0,
      retired: false,
      closing: undefined,
      dispose: undefined,
    };
    entry.client = directory.connectorFor(type).then(async (connector) => {
      const prepared = prepareCredentials
        ? await prepareCredentials(type, connector, credentials, pipeline)
        : { credentials, dispose: undefined };
      try {
        const client = await connector.create(prepared.credentials, contextFor(type));
        entry.dispose = prepared.dispose;
        return client;
      } catch (error) {
        // A client that was never created cannot own the pipeline's files: they go now.
        await prepared.dispose?.();
        throw error;
      }
    });
    logger.debug(`Creating ${type} client`);
    return entry;
  }

  #retire(entry: Entry): void {
    entry.retired = true;
    if (entry.leases === 0) void this.#close(entry);
  }

  #close(entry: Entry): Promise<void> {
    entry.closing ??= this.#shutDown(entry);
    return entry.closing;
  }

  async #shutDown(entry: Entry): Promise<void> {
    try {
      const client = await entry.client;
      await client.close?.();
      this.#options.logger.debug(`Closed ${entry.type} client`);
    } catch (error) {
      // A client that failed to be created has nothing to close; a failing close() must not fail the request.
      this.#options.logger.debug(`Discarded ${entry.type} client`, { error: (error as Error).message });
    } finally {
      await entry.dispose?.().catch(() => undefined);
    }
  }
}
