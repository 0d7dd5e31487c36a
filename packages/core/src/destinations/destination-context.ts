import type { AgentServices } from '../agent/agent-services';
import { networkGuardFor } from '../network/guard-for';
import { guardedRequest } from '../network/guarded-http';
import type { DeliveryPayload } from './delivery-payload';
import type { DestinationContext, Settings } from './destination-module';

/** A destination's answer is read up to this much: enough for a status field or an error message. */
const RESPONSE_BYTES = 64 * 1024;

/**
 * What a destination may use during a run: its settings, the secret MCD_DESTINATION_CREDENTIALS names for it (fetched
 * with the agent's identity through the self-hosted credentials sources, cached), and requests through the SSRF guard.
 */
export async function destinationContext(
  services: AgentServices,
  name: string,
  jobId: string,
  payload: DeliveryPayload,
  settings: Settings,
): Promise<DestinationContext> {
  const envelope = services.config.destinations.credentials[name];
  const credentials = envelope ? await services.resolveCredentials(envelope) : {};
  const guard = networkGuardFor(services);
  const timeoutMs = services.config.destinations.requestTimeoutSeconds * 1000;
  return {
    settings,
    credentials,
    webhookId: payload.webhook_id,
    labelName: payload.label_name ?? undefined,
    jobId,
    logger: services.logger,
    storage: services.storage,
    request: async (url, init = {}) => {
      const response = await guardedRequest(guard, url, {
        method: init.method ?? 'POST',
        headers: init.headers ?? {},
        ...(init.body === undefined ? {} : { body: init.body }),
        ...(init.signal ? { signal: init.signal } : {}),
        timeoutMs,
        maxBodyBytes: RESPONSE_BYTES,
      });
      return { status: response.status, headers: response.headers, body: response.body };
    },
  };
}
