import { lazyRemoteOp, type RemoteOps } from '@artemis/core/runtime';
import type { TokenCredential } from '@azure/identity';
import type { AzureRemoteOpsOptions } from './azure-remote-ops-options';

/**
 * The Azure Functions runtime's remote operations (SPEC §13): the ARM site updater and Application Insights queries,
 * each SDK imported on the first call that needs it, never on the health path.
 */
export function azureRemoteOps(options: AzureRemoteOpsOptions = {}): RemoteOps {
  let credential: Promise<TokenCredential> | undefined;
  const identity = () => {
    credential ??= options.credential
      ? Promise.resolve(options.credential)
      : import('@azure/identity').then(({ DefaultAzureCredential }) => new DefaultAzureCredential());
    return credential;
  };
  return {
    ...(options.now ? { now: options.now } : {}),
    updater: lazyRemoteOp(async ({ env }) => {
      const { AzureSiteUpdater, siteOf } = await import('./azure-site-updater');
      return new AzureSiteUpdater(siteOf(env), await identity(), env, options);
    }),
    azure: lazyRemoteOp(async ({ config }) => {
      const { ApplicationInsightsLogs } = await import('./application-insights-logs');
      return new ApplicationInsightsLogs(config.remoteOps.appInsightsResourceId, await identity(), options);
    }),
  };
}
