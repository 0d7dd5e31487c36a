import type { AgentServices, RouteHandler } from '../agent/agent-services';
import { perAgent } from '../agent/per-agent';
import { encodeJson } from '../encoding/json-encoder';
import { JsonText } from '../encoding/json-text';
import { agentRegistration } from '../health/agent-registration';
import { healthEnv } from '../health/health-env';
import { isTrue, readParams, traceIdOf } from '../http/request-params';
import { errorResponse, jsonResponse, traceHeaders } from '../http/responses';
import { runWithLogContext } from '../logging/log-context';
import { firstQueryValue } from '../protocol/agent-request';
import type { AgentResponse } from '../protocol/agent-response';

const OPERATION_NAME = 'health_information';

/** Computed once: the environment does not change after start-up. What MCD_CONFIG_SOURCE set is listed by name only. */
const envOf = perAgent((services) => healthEnv(services.env, services.config.configSource?.variables));

/** What follows `platform_info`: the agent's registration and, when one set variables, the configuration source. */
const tailOf = perAgent((services) => {
  const tail: Record<string, unknown> = { agent_registration: agentRegistration(services.config) };
  const { configSource } = services.config;
  if (configSource) tail.config_source = { source: configSource.source, variables: configSource.variables };
  return tail;
});

/** `,"agent_registration":…` (and `,"config_source":…`): encoded once per agent too. */
const encodedTail = perAgent((services) => `,${encodeJson(tailOf(services)).slice(1, -1)}`);

/**
 * The health object's text up to its `platform_info` (platform, version, build, env), encoded once per agent: what
 * a health check would otherwise rebuild and re-encode on every request (SPEC §11, issue 13).
 */
const encodedHead = perAgent((services) => {
  const head = encodeJson({
    platform: services.platform,
    version: services.config.version,
    build: services.config.build,
    env: envOf(services),
  });
  return `${head.slice(0, -1)},"platform_info":`;
});

/** The answer without a trace id, kept while `platform_info` encodes the same (it reads the environment). */
const untraced = perAgent(() => ({ platformInfo: '', body: new JsonText('') }));

/**
 * GET/POST /api/v1/test/health: the health object itself, not wrapped in __mcd_result__ (SPEC §6). The common
 * check (no `full`) is answered from the pre-encoded text, with no log context (it logs nothing); `full=true` asks
 * the platform and the network, in the request's log context.
 */
export const healthRoute: RouteHandler = async ({ request, services }) => {
  let traceId = firstQueryValue(request.query, 'trace_id') || undefined;
  try {
    const params = readParams(request, services.config.limits.maxJsonDepth);
    traceId = traceIdOf(params) ?? traceId;
    if (isTrue(params.full)) {
      const id = traceId;
      return await runWithLogContext({ mcd_trace_id: id, mcd_operation_name: OPERATION_NAME }, () =>
        fullHealth(services, id),
      );
    }
    return quickHealth(services, traceId);
  } catch (error) {
    return errorResponse(error, traceId);
  }
};

function quickHealth(services: AgentServices, traceId: string | undefined): AgentResponse {
  const headers = traceHeaders(traceId);
  const platformInfo = encodeJson(platformInfoOf(services));
  if (traceId === undefined) {
    const cached = untraced(services);
    if (cached.platformInfo !== platformInfo) {
      cached.platformInfo = platformInfo;
      cached.body = new JsonText(`${encodedHead(services)}${platformInfo}${encodedTail(services)}}`);
    }
    return { status: 200, headers, body: cached.body };
  }
  const body = `${encodedHead(services)}${platformInfo}${encodedTail(services)},"trace_id":${JSON.stringify(traceId)}}`;
  return { status: 200, headers, body: new JsonText(body) };
}

/** `platform_info`, with the running image when the deployment named it (MCD_AGENT_IMAGE_TAG costs nothing). */
function platformInfoOf(services: AgentServices): Record<string, unknown> {
  const info = services.platformInfo();
  const { imageTag } = services.config.remoteOps;
  return imageTag ? { ...info, image: imageTag } : info;
}

async function fullHealth(services: AgentServices, traceId: string | undefined): Promise<AgentResponse> {
  const body: Record<string, unknown> = {
    platform: services.platform,
    version: services.config.version,
    build: services.config.build,
    env: envOf(services),
    platform_info: platformInfoOf(services),
    ...tailOf(services),
  };
  if (traceId) body.trace_id = traceId;
  const warnings: string[] = [];
  // The running image (SPEC §13): asking the platform's API (Apollo did on every health check) is left to
  // `full=true`, off the health path's budget.
  if (services.remoteOps.updater) {
    let image: string | null = null;
    try {
      image =
        (await (await services.remoteOps.updater(services)).currentImage()) ??
        services.config.remoteOps.imageTag ??
        null;
    } catch (error) {
      warnings.push(`Failed to retrieve current image: ${(error as Error).message}`);
    }
    body.platform_info = { ...(body.platform_info as object), image };
  }
  // The outbound IP needs the network guard and an HTTP client: loaded only when asked for.
  const { outboundIpAddress } = await import('../network/network-checks');
  try {
    body.extra = { outbound_ip_address: await outboundIpAddress(services) };
  } catch (error) {
    warnings.push(`Failed to get outbound IP address: ${(error as Error).message}`);
  }
  if (warnings.length > 0) body.warnings = warnings;
  return jsonResponse(body, traceId);
}

/** GET / and /health: liveness only. */
export async function livenessRoute() {
  return jsonResponse({ status: 'up' });
}
