import type { AgentServices, RemoteOps } from '@artemis/core/runtime';
import type { GcpRemoteOpsOptions } from './gcp-remote-ops-options';

/**
 * The Cloud Run runtime's remote operations (SPEC §13): the Cloud Run updater and Cloud Logging, each SDK imported on
 * the first call that needs it, never on the health path.
 */
export function cloudRunRemoteOps(options: GcpRemoteOpsOptions = {}): RemoteOps {
  return {
    ...(options.now ? { now: options.now } : {}),
    updater: once(async ({ env }) => {
      const { CloudRunUpdater } = await import('./cloud-run-updater');
      return new CloudRunUpdater(env.K_SERVICE, options);
    }),
    gcp: once(async ({ config }) => {
      const { CloudLoggingReader } = await import('./cloud-logging-reader');
      return new CloudLoggingReader(config.gcpProjectId, options);
    }),
  };
}

/** One client per agent, created on first use (a failed creation is tried again next time). */
function once<T>(create: (services: AgentServices) => Promise<T>): (services: AgentServices) => Promise<T> {
  let value: Promise<T> | undefined;
  return (services) => {
    value ??= create(services).catch((error: unknown) => {
      value = undefined;
      throw error;
    });
    return value;
  };
}
