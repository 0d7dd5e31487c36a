import { perAgent } from '../agent/per-agent';
import { agentRegistration } from '../health/agent-registration';
import { healthEnv } from '../health/health-env';
import { isTrue } from '../http/request-params';
import { jsonResponse } from '../http/responses';
import { paramRoute } from './param-route';

/** Computed once: the environment does not change after start-up. */
const envOf = perAgent((services) => healthEnv(services.env));
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
  if (traceId) body.trace_id = traceId;
  if (isTrue(params.full)) {
    // The outbound IP needs the network guard and an HTTP client: loaded only when asked for.
    const { outboundIpAddress } = await import('../network/network-checks');
    try {
      body.extra = { outbound_ip_address: await outboundIpAddress(services) };
    } catch (error) {
      body.warnings = [`Failed to get outbound IP address: ${(error as Error).message}`];
    }
  }
  return jsonResponse(body, traceId);
});

/** GET / and /health: liveness only. */
export async function livenessRoute() {
  return jsonResponse({ status: 'up' });
}
