import type { AsyncDispatcher, AsyncWork } from '../async/async-dispatcher';
import type { JobRuntime } from '../async/job-kinds';
import { type AgentConfig, loadConfig, type StorageType } from '../config/config';
import type { ConnectorCatalog, Credentials } from '../connectors/proxy-client';
import { isSelfHosted } from '../credentials/is-self-hosted';
import type { SelfHostedCredentialsOptions } from '../credentials/self-hosted-options';
import { PayloadTooLargeError } from '../errors/agent-errors';
import { errorResponse } from '../http/responses';
import { createLogger, type Logger } from '../logging/logger';
import type { HeapReader } from '../memory/heap-guard';
import { type AgentRequest, firstQueryValue } from '../protocol/agent-request';
import type { AgentResponse } from '../protocol/agent-response';
import { ConnectorDirectory } from '../registry/connector-directory';
import type { RemoteOps } from '../remote-ops/remote-ops';
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
  /** Heap figures for the memory guard (tests); V8's own by default. */
  readonly readHeap?: HeapReader;
  /** Overrides the storage backend chosen from the configuration (tests, embedding). */
  readonly storage?: () => Promise<StorageBackend>;
  /** How async work reaches a worker (SPEC §8); in this process when omitted (the local server, Cloud Run). */
  readonly asyncDispatcher?: AsyncDispatcher;
  /** The clock of async job times and deadlines (Unix ms); `Date.now` when omitted. Tests inject one. */
  readonly clock?: () => number;
  /** Waits on that clock (see AsyncServices.sleep); a timer when omitted. Tests inject one with their clock. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The first pause before a failed callback is retried (ms, doubled each time); 1000 when omitted. */
  readonly callbackRetryDelayMs?: number;
  /** The runtime's updater and platform log readers (SPEC §13), each loading its SDK on first use. */
  readonly remoteOps?: RemoteOps;
}

export interface Agent {
  readonly config: AgentConfig;
  readonly logger: Logger;
  readonly services: AgentServices;
  /** The platform-neutral entry point every adapter calls. Never throws: every failure is an envelope. */
  handle(request: AgentRequest): Promise<AgentResponse>;
  /**
   * Runs a stored async job (SPEC §8): what a dispatcher's receiving end calls (the Lambda handler for a work event,
   * the Azure queue trigger). Resolves when the job has ended, handed the rest to a continuation, or was not for
   * this worker to run; rejects only when storage fails, so that a queue delivers the work again. `runtime` says how
   * long the invocation may still run (Lambda's context), for the jobs that continue past it.
   */
  runAsyncWork(work: AsyncWork, runtime?: JobRuntime): Promise<void>;
  /** Ends a job Failed with `reason` because its transport gave up on the work (an Azure poison message). */
  abandonAsyncWork(work: AsyncWork, reason: string): Promise<void>;
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
    plugins ??= Promise.all([
      config.connectorModules.length === 0
        ? undefined
        : import('../registry/plugin-loader').then(({ loadPlugins }) =>
            loadPlugins(directory, config.connectorModules),
          ),
      // Destination plugins (MCD_DESTINATION_MODULES, or a `destinations` export beside `connectors`), loaded now
      // so that a broken one stops start-up like a broken connector plugin.
      config.connectorModules.length === 0 && config.destinations.modules.length === 0
        ? undefined
        : import('../destinations/destination-directory').then(({ destinationDirectoryFor }) =>
            destinationDirectoryFor(services).ready(),
          ),
    ]).then(() => undefined);
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
    awsClientOverrides: options.selfHostedCredentials?.aws,
    readHeap: options.readHeap,
    remoteOps: options.remoteOps ?? {},
    storage: options.storage ?? (async () => (await import('../storage/storage-for')).storageFor(services)),
    async: {
      dispatcher: options.asyncDispatcher ?? inProcessDispatcher(),
      now: options.clock ?? Date.now,
      sleep: options.sleep ?? timerSleep,
      callbackRetryDelayMs: options.callbackRetryDelayMs ?? 1000,
    },
  };
  const router = createRouter();

  /** Ordinary credentials pass through; the credentials module is loaded only for a self-hosted envelope. */
  async function resolveCredentials(credentials: Credentials): Promise<Credentials> {
    if (!isSelfHosted(credentials)) return credentials;
    const { resolveSelfHostedCredentials } = await import('../credentials/resolver-for');
    return resolveSelfHostedCredentials(services, credentials, options.selfHostedCredentials);
  }

  async function runAsyncWork(work: AsyncWork, runtime?: JobRuntime): Promise<void> {
    await pluginsReady();
    const { runJob } = await import('../async/run-job');
    return runJob(services, work, runtime);
  }

  /**
   * The worker is this process: the job starts once the 202 is on its way, in the submitting request's async
   * context (its log fields). Its failures are logged; the job's record says what happened.
   */
  function inProcessDispatcher(): AsyncDispatcher {
    return {
      kind: 'in-process',
      dispatch: async (work) => {
        setImmediate(() =>
          runAsyncWork(work).catch((error: Error) =>
            logger.error('Async job failed to run', { mcd_request_id: work.request_id, error: error?.message }),
          ),
        );
      },
    };
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
    runAsyncWork,
    abandonAsyncWork: async (work, reason) => (await import('../async/run-job')).abandonJob(services, work, reason),
    ready: pluginsReady,
    close: async () => (await import('./shutdown-agent')).shutdownAgent(services),
  };
}

/** A pause on the real clock that an abort ends early. */
function timerSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
  });
}
