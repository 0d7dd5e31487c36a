import type { AgentServices } from '../agent/agent-services';

/*
 * What a runtime adapter supplies for the remote operations of SPEC §13: an updater (self-upgrade, upgrade logs,
 * infrastructure details) and the platform's log reader. The core owns the routes, their parameters, the upgrade
 * gate and the error envelopes; the adapters own the SDK calls, each imported on first use.
 */

/** A deployment parameter's new value (`MemorySize: 2048`, `env.HTTP_PROXY: "…"`). */
export type ParameterValue = string | number | boolean;

/**
 * `POST /api/v1/upgrade`: `image` and `timeout` popped from the body, every other key forwarded (Apollo's kwargs);
 * the two every updater reads, `parameters` and `wait_for_completion`, are checked by the core.
 */
export interface UpdateRequest {
  readonly image: string | undefined;
  readonly timeoutSeconds: number | undefined;
  /** `parameters`: new values of the deployment's settings, by the updater's names. */
  readonly parameters: Readonly<Record<string, ParameterValue>>;
  /** `wait_for_completion`: wait for the platform to finish (Lambda, CloudFormation); Cloud Run always waits. */
  readonly waitForCompletion: boolean;
  /** The rest of the body as the control plane sent it. */
  readonly options: Readonly<Record<string, unknown>>;
}

export interface AgentUpdater {
  /** The image the runtime runs now, as the platform tells it (the upgrade gate's trust anchor). */
  currentImage(): Promise<string | undefined>;
  update(request: UpdateRequest): Promise<Record<string, unknown>>;
  /** Events of the latest updates, newest first, from `startTime` on, at most `limit`. */
  updateLogs(startTime: Date, limit: number): Promise<unknown[]>;
  infraDetails(): Promise<Record<string, unknown>>;
}

/** A time window of a log query; `start` defaults to ten minutes ago, `end` to none (or now, per route). */
export interface LogWindow {
  readonly start: Date;
  readonly end: Date | undefined;
}

/** CloudWatch Logs (apollo-inventory §1.3). */
export interface AwsPlatformLogs {
  filter(request: { pattern: string | undefined; window: LogWindow; limit: number }): Promise<unknown[]>;
  startQuery(request: { query: string; start: Date; end: Date; limit: number }): Promise<string | undefined>;
  stopQuery(queryId: string): Promise<Record<string, unknown>>;
  queryResults(queryId: string): Promise<{ events: Record<string, unknown>[]; status: string | undefined }>;
}

/** Cloud Logging (apollo-inventory §1.4): `filter` already narrowed to this service and its time window. */
export interface GcpPlatformLogs {
  list(request: { filter: string; limit: number }): Promise<unknown[]>;
}

/** Application Insights (apollo-inventory §1.5): `query` is the complete KQL. */
export interface AzurePlatformLogs {
  query(request: { query: string; start: Date; end: Date }): Promise<Record<string, unknown>[]>;
}

/**
 * Each member is called with the agent's services (configuration, environment, logger) on every use and creates its
 * client on the first: the adapters' implementations import their SDKs then, never on the health path.
 */
export interface RemoteOps {
  readonly updater?: (services: AgentServices) => Promise<AgentUpdater>;
  readonly aws?: (services: AgentServices) => Promise<AwsPlatformLogs>;
  readonly gcp?: (services: AgentServices) => Promise<GcpPlatformLogs>;
  readonly azure?: (services: AgentServices) => Promise<AzurePlatformLogs>;
  /** The clock of the default time windows (tests fix it); `new Date()` when omitted. */
  readonly now?: () => Date;
}
