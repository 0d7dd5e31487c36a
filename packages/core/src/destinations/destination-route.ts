import type { AgentServices, RouteContext } from '../agent/agent-services';
import { submitJob } from '../async/submit-job';
import { BadRequestError, ForbiddenError } from '../errors/agent-errors';
import { parseJsonObjectBody } from '../http/json-body';
import { errorResponse, jsonResponse } from '../http/responses';
import { validate } from '../http/validation';
import { networkGuardFor } from '../network/guard-for';
import type { AgentResponse } from '../protocol/agent-response';
import { dataLocationOf } from './data-location';
import { deliveryPayloadSchema, runnerSettingsSchema } from './delivery-payload';
import { destinationDirectoryFor } from './destination-directory';
import { DestinationRefusedError } from './destination-errors';
import { settingsFor } from './destination-settings';

/**
 * POST /api/v1/destinations/{destination} (SPEC §14; `POST /api/v1/destinations` names MCD_DESTINATION_DEFAULT):
 * checks the payload — its fields, the destination and its settings, where `data_url` points, and that the SSRF
 * guard lets the agent reach `data_url` and `callback_url` — then stores the delivery as an async job, hands it to
 * the runtime's dispatcher and answers `200 {"status": "accepted", "job_id"}` at once. The delivery runs in the
 * background; `GET /async/api/v1/status/{job_id}` follows it. A refused payload is a 4xx, so the caller never takes
 * it for accepted.
 */
export async function destinationRoute({ services, params, request }: RouteContext): Promise<AgentResponse> {
  let traceId: string | undefined;
  try {
    await services.pluginsReady();
    const name = params.destination ?? services.config.destinations.defaultName;
    if (!name) {
      throw new BadRequestError(
        'No destination named: POST /api/v1/destinations/{destination}, or set MCD_DESTINATION_DEFAULT',
      );
    }
    const payload = validate(
      deliveryPayloadSchema,
      parseJsonObjectBody(request.body, services.config.limits.maxJsonDepth),
    );
    traceId = payload.webhook_id;
    const destination = await destinationDirectoryFor(services).get(name);
    const settings = payload.settings ?? {};
    validate(runnerSettingsSchema, settings, 'settings');
    await settingsFor(destination, settings);
    const location = dataLocationOf(payload.data_url, {
      type: services.config.storage.type ?? services.defaultStorage,
      bucketName: services.config.storage.bucketName,
      prefix: services.config.storage.prefix,
    });
    await assertReachable(services, 'callback_url', payload.callback_url);
    if (location.kind === 'http') await assertReachable(services, 'data_url', location.url);
    const job = {
      traceId: payload.webhook_id,
      connectionType: name,
      operationName: 'delivery',
      kind: 'delivery' as const,
    };
    return await submitJob(services, job, request.body, (record) => {
      services.logger.info('Delivery accepted', { destination: name, webhook_id: payload.webhook_id });
      return jsonResponse({ status: 'accepted', job_id: record.request_id }, traceId);
    });
  } catch (error) {
    return errorResponse(error, traceId);
  }
}

/**
 * Refuses a URL the SSRF guard would refuse (metadata and link-local addresses, loopback unless allowed, blocked
 * ranges) now rather than in a failed job. A name that does not resolve yet is left to the delivery: DNS may
 * recover, and the guard checks every request the delivery makes anyway.
 */
async function assertReachable(services: AgentServices, field: string, url: string): Promise<void> {
  try {
    await networkGuardFor(services).resolveUrl(url);
  } catch (error) {
    if (error instanceof ForbiddenError)
      throw new DestinationRefusedError(`${field} refused: ${error.message.replace(/^Destination refused: /, '')}`);
  }
}
