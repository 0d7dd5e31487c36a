import type { AgentConfig } from '../config/config';
import type { Logger } from '../logging/logger';
import type { NetworkGuard } from '../network/network-guard';
import type { StorageBackend } from '../storage/storage-backend';

/**
 * What a connector hands the interpreter (SPEC §5). Every member the control plane can reach is listed here on
 * purpose: `extensions` (and `resolveExtension` for dynamic surfaces such as boto3-style names) come first, then
 * the public members of `wrappedClient`. Lifecycle hooks are not reachable by commands.
 *
 * Anything public on an object a command can reach is callable: keep internals in `#private` fields.
 */
export interface ProxyClient {
  readonly extensions?: Readonly<Record<string, unknown>>;
  resolveExtension?(name: string): unknown;
  readonly wrappedClient?: unknown;
  processResult?(result: unknown): unknown;
  errorType?(error: unknown): string | undefined;
  errorAttrs?(error: unknown): Readonly<Record<string, unknown>> | undefined;
  close?(): void | Promise<void>;
}

/** Agent-wide services a connector may use; created once, shared by every client. */
export interface ConnectorContext {
  readonly connectionType: string;
  readonly config: AgentConfig;
  readonly logger: Logger;
  readonly network: NetworkGuard;
  /** The agent's own storage (MCD_STORAGE), created on first use. */
  readonly storage: () => Promise<StorageBackend>;
}

export type Credentials = Readonly<Record<string, unknown>>;

export type ConnectorFactory = (
  credentials: Credentials,
  context: ConnectorContext,
) => ProxyClient | Promise<ProxyClient>;

/** Loads a connector's code on first use (`await import()`), so a health check never pays for drivers. */
export type ConnectorLoader = () => Promise<ConnectorFactory>;

export type ConnectorCatalog = Readonly<Record<string, ConnectorLoader>>;

/** The shape of a module named in `MCD_CONNECTOR_MODULES`. */
export interface ConnectorPlugin {
  readonly connectors: Readonly<Record<string, ConnectorFactory>>;
}
