import type { AgentServices } from '../agent/agent-services';
import { BadRequestError } from '../errors/agent-errors';
import { isTrue } from '../http/request-params';
import { resultResponse } from '../http/responses';
import type { AgentUpdater, ParameterValue } from '../remote-ops/remote-ops';
import {
  RemoteOperationFailedError,
  RemoteOpsConfigurationError,
  UpgradeUnavailableError,
} from '../remote-ops/remote-ops-errors';
import { limitParam, tenMinutesBefore, timeParam } from '../remote-ops/remote-ops-params';
import { checkUpgrade } from '../remote-ops/upgrade-gate';
import { paramRoute } from './param-route';

/*
 * Self-upgrade, upgrade logs and infrastructure details (apollo-inventory §1.2 rows 10-12, §8). Failures are 200
 * envelopes with Apollo's prefixes (`Update failed: …`) and, unlike Apollo, the trace id; bad parameters are 400s.
 */

const DEFAULT_UPDATE_LOG_LIMIT = 100;

/** POST /api/v1/upgrade: `image`, `timeout` (seconds); every other key goes to the updater as it came. */
export const upgradeRoute = paramRoute('update', async (params, traceId, { services }) => {
  const { trace_id: _trace, image, timeout, parameters, wait_for_completion, ...options } = params;
  if (image !== undefined && image !== null && typeof image !== 'string') {
    throw new BadRequestError('Invalid value for image parameter: expected a string');
  }
  const timeoutSeconds = timeout === undefined || timeout === null ? undefined : limitParam(params, 'timeout', 0, 3600);
  checkedParameters(parameters);
  try {
    const updater = await updaterOf(services);
    const { upgradable, allowedRepos } = services.config.remoteOps;
    checkUpgrade({
      upgradable,
      image: image || undefined,
      // The running image is the gate's trust anchor; asked for only when there is an image to judge.
      currentImage: upgradable && image ? await updater.currentImage() : undefined,
      currentVersion: services.config.version,
      allowedRepos,
    });
    services.logger.info('Update requested', { image, timeout_seconds: timeoutSeconds });
    const result = await updater.update({
      image: image || undefined,
      timeoutSeconds,
      parameters: checkedParameters(parameters),
      waitForCompletion: isTrue(wait_for_completion),
      options,
    });
    return resultResponse(result, traceId);
  } catch (error) {
    throw failed('Update failed: ', error);
  }
});

/** GET|POST /api/v1/upgrade/logs: `start_time` (ISO, default ten minutes ago), `limit` (default 100). */
export const upgradeLogsRoute = paramRoute('get_update_logs', async (params, traceId, { services }) => {
  const startTime = timeParam(params, 'start_time', tenMinutesBefore(nowOf(services)));
  const limit = limitParam(params, 'limit', DEFAULT_UPDATE_LOG_LIMIT);
  try {
    const events = await (await updaterOf(services)).updateLogs(startTime, limit);
    return resultResponse({ events }, traceId);
  } catch (error) {
    throw failed('get_update_logs failed: ', error);
  }
});

/** GET|POST /api/v1/infra/details: the runtime's deployment settings. */
export const infraDetailsRoute = paramRoute('get_infra_details', async (_params, traceId, { services }) => {
  try {
    if (!services.remoteOps.updater) throw new RemoteOpsConfigurationError('No platform_provider set');
    return resultResponse(await (await services.remoteOps.updater(services)).infraDetails(), traceId);
  } catch (error) {
    throw failed('get_infra_details failed: ', error);
  }
});

function checkedParameters(value: unknown): Record<string, ParameterValue> {
  if (value === undefined || value === null) return {};
  const valid =
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.values(value).every((item) => ['string', 'number', 'boolean'].includes(typeof item));
  if (!valid) {
    throw new BadRequestError(
      'Invalid value for parameters parameter: expected an object of strings, numbers and booleans',
    );
  }
  return value as Record<string, ParameterValue>;
}

async function updaterOf(services: AgentServices): Promise<AgentUpdater> {
  if (!services.remoteOps.updater) throw new UpgradeUnavailableError('No updater configured');
  return services.remoteOps.updater(services);
}

export function nowOf(services: AgentServices): Date {
  return services.remoteOps.now?.() ?? new Date();
}

/** A bad parameter stays a 400; anything else is Apollo's prefixed 200 envelope. */
function failed(prefix: string, error: unknown): unknown {
  return error instanceof BadRequestError ? error : new RemoteOperationFailedError(prefix, error);
}
