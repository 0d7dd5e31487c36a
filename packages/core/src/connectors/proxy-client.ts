import type { AgentConfig } from '../config/config';
import type { CredentialPipeline } from '../ctp/credential-pipeline';
import type { Logger } from '../logging/logger';
import type { NetworkGuard } from '../network/network-guard';
import type { StorageBackend } from '../storage/storage-backend';
import type { OperationEnd } from './operation';
import type { StandardSchemaV1 } from './standard-schema';

/**
 * What a connector hands the interpreter (SPEC §5). A command on `_client` resolves, in order: the public members of
 * this object itself (own and inherited: a proxy-client class's methods, as in Apollo), `extensions` (and
 * `resolveExtension` for dynamic surfaces such as boto3-style names), then the public members of `wrappedClient`.
 * The lifecycle hooks below are never reachable by commands.
 *
 * Anything public on an object a command can reach is callable: keep internals in `#private` fields.
 *
 * The hooks, in the order the core calls them for one operation: the commands run inside the operation
 * (`currentOperation()` names it), then `processResult` on success, `errorType`/`errorAttrs` on failure (pure: they
 * name the error and nothing else), then `endOperation` once, whatever the outcome, before the client is released;
 * `close` when the client leaves the cache.
 */
export interface ProxyClient {
  readonly extensions?: Readonly<Record<string, unknown>>;
  resolveExtension?(name: string): unknown;
  readonly wrappedClient?: unknown;
  processResult?(result: unknown): unknown;
  errorType?(error: unknown): string | undefined;
  errorAttrs?(error: unknown): Readonly<Record<string, unknown>> | undefined;
  /**
   * The operation is over: release what it holds on this (possibly shared) client, e.g. cancel the statement a
   * timed-out operation still runs and close the cursors it left open. Awaited before the answer is sent; a failure
   * here is logged and disposes the client, it never changes the answer.
   */
  endOperation?(end: OperationEnd): void | Promise<void>;
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

/**
 * A connector: how to create its client, what credentials it accepts (used to validate self-hosted ones), and its
 * default credential pipeline (SPEC §9.1), which shapes flat credentials into the `connect_args` `create` receives.
 */
export interface ConnectorModule {
  readonly create: ConnectorFactory;
  readonly credentialsSchema?: StandardSchemaV1;
  readonly credentialPipeline?: CredentialPipeline;
}

/** Loads a connector's code on first use (`await import()`), so a health check never pays for drivers. */
export type ConnectorLoader = () => Promise<ConnectorModule>;

export type ConnectorCatalog = Readonly<Record<string, ConnectorLoader>>;

/** The shape of a module named in `MCD_CONNECTOR_MODULES`: a factory, or a factory with its credentials schema. */
export interface ConnectorPlugin {
  readonly connectors: Readonly<Record<string, ConnectorFactory | ConnectorModule>>;
}
