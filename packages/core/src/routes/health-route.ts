import { perAgent } from '../agent/per-agent';
import { agentRegistration } from '../health/agent-registration';
import { healthEnv } from '../health/health-env';
import { isTrue } from '../http/request-params';
import { jsonResponse } from '../http/responses';
import { paramRoute } from './param-route';

/** Computed once: the environment does not change after start-up. What MCD_CONFIG_SOURCE set is listed by name only. */
const envOf = perAgent((services) => healthEnv(services.env, services.config.configSource?.variables));
const registrationOf = perAgent((services) => agentRegistration(services.config));

/** GET/POST /api/v1/test/health: the health object itself, not wrapped in __mcd_result__ (SPEC §6). */
export const healthRoute = paramRoute('health_information', async (params, traceId, { services }) => {
  const body: Record<string, unknown> = {
    platform: services.platform,
    version: services.config.version,
    build: services.config.build,
    env: envOf(services),
    platform_info: services.platformInfo(),
    agent_registration: registrationOf(services),
  };
  const { configSource } = services.config;
  if (configSource) body.config_source = { source: configSource.source, variables: configSource.variables };
  if (traceId) body.trace_id = traceId;
  const warnings: string[] = [];
  // The running image (SPEC §13): what the deployment wrote in MCD_AGENT_IMAGE_TAG costs nothing; asking the
  // platform's API (Apollo did on every health check) is left to `full=true`, off the health path's budget.
  const { imageTag } = services.config.remoteOps;
  if (imageTag) body.platform_info = { ...(body.platform_info as object), image: imageTag };
  if (isTrue(params.full) && services.remoteOps.updater) {
    let image: string | null = null;
    try {
      image = (await (await services.remoteOps.updater(services)).currentImage()) ?? imageTag ?? null;
    } catch (error) {
      warnings.push(`Failed to retrieve current image: ${(error as Error).message}`);
    }
    body.platform_info = { ...(body.platform_info as object), image };
  }
  if (isTrue(params.full)) {
    // The outbound IP needs the network guard and an HTTP client: loaded only when asked for.
    const { outboundIpAddress } = await import('../network/network-checks');
    try {
      body.extra = { outbound_ip_address: await outboundIpAddress(services) };
    } catch (error) {
      warnings.push(`Failed to get outbound IP address: ${(error as Error).message}`);
    }
  }
  if (warnings.length > 0) body.warnings = warnings;
  return jsonResponse(body, traceId);
});

/** GET / and /health: liveness only. */
export async function livenessRoute() {
  return jsonResponse({ status: 'up' });
}
