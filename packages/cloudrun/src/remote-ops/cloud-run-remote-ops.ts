import { lazyRemoteOp, type RemoteOps } from '@artemis/core/runtime';
import type { GcpRemoteOpsOptions } from './gcp-remote-ops-options';

/**
 * The Cloud Run runtime's remote operations (SPEC §13): the Cloud Run updater and Cloud Logging, each SDK imported on
 * the first call that needs it, never on the health path.
 */
export function cloudRunRemoteOps(options: GcpRemoteOpsOptions = {}): RemoteOps {
  return {
    ...(options.now ? { now: options.now } : {}),
    updater: lazyRemoteOp(async ({ env }) => {
      const { CloudRunUpdater } = await import('./cloud-run-updater');
      return new CloudRunUpdater(env.K_SERVICE, options);
    }),
    gcp: lazyRemoteOp(async ({ config }) => {
      const { CloudLoggingReader } = await import('./cloud-logging-reader');
      return new CloudLoggingReader(config.gcpProjectId, options);
    }),
  };
}
