import type { AsyncDispatcher } from '../async/async-dispatcher';
import type { AgentConfig, StorageType } from '../config/config';
import type { Credentials } from '../connectors/proxy-client';
import type { Logger } from '../logging/logger';
import type { HeapReader } from '../memory/heap-guard';
import type { AgentRequest } from '../protocol/agent-request';
import type { AgentResponse } from '../protocol/agent-response';
import type { ConnectorDirectory } from '../registry/connector-directory';
import type { RemoteOps } from '../remote-ops/remote-ops';
import type { StorageBackend } from '../storage/storage-backend';

export type Platform = 'Generic' | 'AWS' | 'GCP' | 'Azure';

/** Everything a route needs, built once per agent. Heavy services are created lazily by the modules that use them. */
export interface AgentServices {
  readonly platform: Platform;
  /** The storage backend when MCD_STORAGE is unset: the runtime's own (S3 on Lambda, GCS on Cloud Run, …). */
  readonly defaultStorage: StorageType;
  readonly config: AgentConfig;
  /** The environment health reports from (process.env unless injected). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly directory: ConnectorDirectory;
  /** Resolves when the plugins of MCD_CONNECTOR_MODULES are loaded (rejects with the reason they are not). */
  readonly pluginsReady: () => Promise<void>;
  readonly platformInfo: () => Readonly<Record<string, unknown>>;
  /** Credentials as the connector receives them: self-hosted envelopes fetched and merged (SPEC §9). */
  readonly resolveCredentials: (credentials: Credentials) => Promise<Credentials>;
  /** The agent's storage backend (MCD_STORAGE or the platform default), created on first use. */
  readonly storage: () => Promise<StorageBackend>;
  /** Merged into the AWS SDK clients the agent creates on its own identity (private endpoints, tests' fakes). */
  readonly awsClientOverrides?: Readonly<Record<string, unknown>>;
  /** The runtime's hard cap on a response body (Lambda: 6 MB); undefined for none. */
  readonly responsePayloadLimitBytes: number | undefined;
  /** Heap figures for the memory guard; V8's own when undefined (tests inject theirs). */
  readonly readHeap: HeapReader | undefined;
  /** The runtime's updater and platform logs (SPEC §13); empty on the generic runtime. */
  readonly remoteOps: RemoteOps;
  /** Async operations (SPEC §8). */
  readonly async: AsyncServices;
}

export interface AsyncServices {
  /** Hands a stored job to the runtime: in-process, a Lambda Event invocation, an Azure queue message. */
  readonly dispatcher: AsyncDispatcher;
  /** The clock of job times and deadlines (Unix ms); injected by tests. */
  readonly now: () => number;
  /**
   * Waits `ms` on that clock (a delivery's rate limit and retry pauses); resolves early, without error, when `signal`
   * aborts. Injected by tests together with `now`, so a pause moves their clock instead of taking time.
   */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The first pause before a callback is retried; doubled each time (with jitter). */
  readonly callbackRetryDelayMs: number;
}

export interface RouteContext {
  readonly request: AgentRequest;
  /** Path parameters, decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly services: AgentServices;
}

export type RouteHandler = (context: RouteContext) => Promise<AgentResponse>;
