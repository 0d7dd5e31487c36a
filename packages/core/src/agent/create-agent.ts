import { type AgentConfig, loadConfig, type StorageType } from '../config/config';
import type { ConnectorCatalog, Credentials } from '../connectors/proxy-client';
import { isSelfHosted } from '../credentials/is-self-hosted';
import type { SelfHostedCredentialsOptions } from '../credentials/self-hosted-options';
import { PayloadTooLargeError } from '../errors/agent-errors';
import { errorResponse } from '../http/responses';
import { createLogger, type Logger } from '../logging/logger';
import { type AgentRequest, firstQueryValue } from '../protocol/agent-request';
import type { AgentResponse } from '../protocol/agent-response';
import { ConnectorDirectory } from '../registry/connector-directory';
import { createRouter } from '../routes/route-table';
import type { StorageBackend } from '../storage/storage-backend';
import type { AgentServices, Platform } from './agent-services';

export interface AgentOptions {
  readonly platform?: Platform;
  /** SPEC §7 default when MCD_STORAGE is unset; FILESYSTEM (the embedded default) when omitted. */
  readonly defaultStorage?: StorageType;
  /** Parsed configuration; `loadConfig(process.env)` when omitted. */
  readonly config?: AgentConfig;
  /** The environment health reports from; `process.env` when omitted. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Native connectors (lazy loaders); plugins from MCD_CONNECTOR_MODULES are added to them. */
  readonly connectors?: ConnectorCatalog;
  readonly logger?: Logger;
  readonly platformInfo?: () => Readonly<Record<string, unknown>>;
  /** Replaces the default credentials step (self-hosted envelopes fetched from the customer's stores, SPEC §9). */
  readonly resolveCredentials?: (credentials: Credentials) => Promise<Credentials>;
  /** SDK client overrides for the default self-hosted credential sources (private endpoints, tests). */
  readonly selfHostedCredentials?: SelfHostedCredentialsOptions;
  readonly responsePayloadLimitBytes?: number;
  /** Overrides the storage backend chosen from the configuration (tests, embedding). */
  readonly storage?: () => Promise<StorageBackend>;
}

export interface Agent {
  readonly config: AgentConfig;
  readonly logger: Logger;
  readonly services: AgentServices;
  /** The platform-neutral entry point every adapter calls. Never throws: every failure is an envelope. */
  handle(request: AgentRequest): Promise<AgentResponse>;
  /** Loads plugins; servers await it before listening so a broken plugin stops start-up with a clear line. */
  ready(): Promise<void>;
  /** Aborts the operations still running, then closes cached clients. */
  close(): Promise<void>;
}

export function createAgent(options: AgentOptions = {}): Agent {
  const config = options.config ?? loadConfig();
  const logger = options.logger ?? createLogger(config.logLevel);
  // `storage` is built into the core: it is the agent's own bucket, not a driver (SPEC §7).
  const directory = new ConnectorDirectory({
    storage: async () => (await import('../storage/storage-connector')).storageConnector,
    ...options.connectors,
  });
  let plugins: Promise<void> | undefined;
  const pluginsReady = () => {
    plugins ??=
      config.connectorModules.length === 0
        ? Promise.resolve()
        : import('../registry/plugin-loader').then(({ loadPlugins }) =>
            loadPlugins(directory, config.connectorModules),
          );
    return plugins;
  };
  const services: AgentServices = {
    platform: options.platform ?? 'Generic',
    defaultStorage: options.defaultStorage ?? 'FILESYSTEM',
    config,
    env: options.env ?? process.env,
    logger,
    directory,
    pluginsReady,
    platformInfo: options.platformInfo ?? (() => ({})),
    resolveCredentials: options.resolveCredentials ?? ((credentials) => resolveCredentials(credentials)),
    responsePayloadLimitBytes: options.responsePayloadLimitBytes,
    storage: options.storage ?? (async () => (await import('../storage/storage-for')).storageFor(services)),
  };
  const router = createRouter();

  /** Ordinary credentials pass through; the credentials module is loaded only for a self-hosted envelope. */
  async function resolveCredentials(credentials: Credentials): Promise<Credentials> {
    if (!isSelfHosted(credentials)) return credentials;
    const { resolveSelfHostedCredentials } = await import('../credentials/resolver-for');
    return resolveSelfHostedCredentials(services, credentials, options.selfHostedCredentials);
  }

  async function handle(request: AgentRequest): Promise<AgentResponse> {
    try {
      if (request.body.length > config.limits.maxRequestBodyBytes) {
        throw new PayloadTooLargeError(config.limits.maxRequestBodyBytes);
      }
      const { handler, params } = router.match(request.method, request.path);
      return await handler({ request, params, services });
    } catch (error) {
      const response = errorResponse(error, firstQueryValue(request.query, 'trace_id') || undefined);
      if (response.status >= 500) logger.error('Unhandled error', { error: (error as Error)?.message });
      return response;
    }
  }

  return {
    config,
    logger,
    services,
    handle,
    ready: pluginsReady,
    close: async () => (await import('./shutdown-agent')).shutdownAgent(services),
  };
}
