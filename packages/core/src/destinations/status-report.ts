import type { AgentServices } from '../agent/agent-services';
import { sendWithRetries } from '../async/deliver-callback';
import { encodeJsonBuffer } from '../encoding/json-encoder';
import { networkGuardFor } from '../network/guard-for';
import { guardedRequest } from '../network/guarded-http';
import type { DeliveryPayload } from './delivery-payload';

/*
 * Status reports to the platform (seed 002): `PUT <callback_url><webhook_id>` with
 * `{"state": "running"|"succeeded"|"failed", "progress": 0..1, "errors": [...], "reason": "..."}`, the platform's
 * `Authorization: Bearer <access_token>` and `X-Amperity-Tenant` (the payload's `tenant_id`, else
 * MCD_DESTINATION_TENANT). Through the SSRF guard like every request. `running` reports are sent once and may be
 * lost (the next one supersedes them); the final one is retried like an async callback.
 */

export type DeliveryState = 'running' | 'succeeded' | 'failed';

export interface StatusReport {
  readonly state: DeliveryState;
  readonly progress: number;
  readonly errors: readonly string[];
  readonly reason: string;
}

type Target = Pick<DeliveryPayload, 'callback_url' | 'webhook_id' | 'access_token' | 'tenant_id'>;

function requestFor(services: AgentServices, target: Target, report: StatusReport) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (target.access_token) headers.authorization = `Bearer ${target.access_token}`;
  const tenant = target.tenant_id ?? services.config.destinations.tenant;
  if (tenant) headers['x-amperity-tenant'] = tenant;
  return { url: `${target.callback_url}${target.webhook_id}`, method: 'PUT', headers, body: encodeJsonBuffer(report) };
}

/** One attempt; false when it failed (logged without the URL's query or the headers). */
export async function reportProgress(services: AgentServices, target: Target, report: StatusReport): Promise<boolean> {
  const request = requestFor(services, target, report);
  try {
    const response = await guardedRequest(networkGuardFor(services), request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      timeoutMs: services.config.async.callbackTimeoutSeconds * 1000,
      maxBodyBytes: 64 * 1024,
    });
    if (response.status >= 200 && response.status < 300) return true;
    services.logger.warn('Status report refused', { state: report.state, status: response.status });
  } catch (error) {
    services.logger.warn('Status report failed', { state: report.state, error: (error as Error).message });
  }
  return false;
}

/** The final report, retried with backoff; never throws. */
export async function reportFinal(services: AgentServices, target: Target, report: StatusReport): Promise<boolean> {
  try {
    await sendWithRetries(services, requestFor(services, target, report));
    services.logger.info('Final status reported', { state: report.state });
    return true;
  } catch (error) {
    services.logger.warn('Final status not reported', { state: report.state, error: (error as Error).message });
    return false;
  }
}
