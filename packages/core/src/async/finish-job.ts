import type { AgentServices } from '../agent/agent-services';
import { StorageNotFoundError } from '../errors/storage-errors';
import { WireKey } from '../protocol/wire-keys';
import { callbackOf, callbackOptionsSchema } from './callback-options';
import { deliverCallback } from './deliver-callback';
import { loadJobKind } from './job-kinds';
import type { FinalState, JobRecord } from './job-records';
import { jobKey, REQUEST_FILE } from './job-records';
import { statusBody } from './job-status';
import type { JobStore } from './job-store';

export interface Outcome {
  readonly status: FinalState;
  readonly body: Record<string, unknown>;
  readonly resultKey?: string | undefined;
}

/**
 * Records a job's final state. Only one final state is ever recorded (create-if-absent), and only the caller that
 * recorded it goes on: it POSTs the final status to the callback, if the request named one, and deletes the stored
 * request (it holds the credentials). So a job has exactly one final status and at most one callback delivery,
 * whoever ends it: its worker, its worker's deadline, or the cleanup route. Resolves false when another writer won.
 */
export async function finishJob(
  services: AgentServices,
  store: JobStore,
  record: JobRecord,
  outcome: Outcome,
  requestBody?: Buffer,
): Promise<boolean> {
  const final: JobRecord = {
    ...record,
    status: outcome.status,
    updated: services.async.now(),
    body: outcome.body,
    ...(outcome.resultKey ? { result_key: outcome.resultKey } : {}),
  };
  if (!(await store.advance(final))) {
    services.logger.info('Async job already ended elsewhere', { mcd_request_id: record.request_id });
    return false;
  }
  services.logger.info(`Async job ${outcome.status}`, { mcd_request_id: record.request_id });
  const request = requestBody ?? (await store.request(record.request_id));
  // A job of a kind tells its own waiter (a delivery: its status API); an operation POSTs to its callback_url.
  if (final.kind) await (await loadJobKind(final.kind)).finished(services, store, final, request);
  const callback = final.kind ? undefined : callbackIn(request);
  if (callback) {
    const resultUrl = final.result_key
      ? await store.resultUrl(final.result_key, services.config.preSignedUrlExpirationSeconds)
      : undefined;
    await deliverCallback(services, callback, {
      [WireKey.requestId]: record.request_id,
      ...statusBody(final, resultUrl),
    });
  }
  await store.storage.delete(jobKey(record.request_id, REQUEST_FILE)).catch((error: unknown) => {
    if (!(error instanceof StorageNotFoundError)) throw error;
  });
  return true;
}

function callbackIn(requestBody: Buffer | undefined) {
  if (!requestBody) return undefined;
  try {
    const parsed = callbackOptionsSchema.safeParse(JSON.parse(requestBody.toString('utf8')));
    return parsed.success ? callbackOf(parsed.data) : undefined;
  } catch {
    return undefined;
  }
}
