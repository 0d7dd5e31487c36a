import type { RouteContext } from '../agent/agent-services';
import { compileCtpConfig, parseExecuteRequest } from '../execute/execute-operation';
import { errorResponse, jsonResponse, traceHeaders } from '../http/responses';
import { validate } from '../http/validation';
import type { AgentResponse } from '../protocol/agent-response';
import { WireKey } from '../protocol/wire-keys';
import { callbackOptionsSchema } from './callback-options';
import { isFinal } from './job-records';
import { recordAt, statusBody } from './job-status';
import { JobStore } from './job-store';
import { isRequestId } from './request-id';
import { submitJob } from './submit-job';

/**
 * POST /async/api/v1/agent/execute/{connection_type}/{operation_name} (SPEC §8): the same body as the sync route,
 * checked the same way first (a bad body is a 400 now, not a failed job later), plus `callback_url` and
 * `callback_headers`. The job is stored, then dispatched; 202 `{"__mcd_request_id__": id}` once both have happened.
 */
export async function submitAsyncRoute({ services, params, request }: RouteContext): Promise<AgentResponse> {
  const traced: { traceId?: string | undefined } = {};
  try {
    await services.pluginsReady();
    const parsed = parseExecuteRequest(services, request.body, traced);
    validate(callbackOptionsSchema, parsed.raw);
    const traceId = parsed.operation.trace_id;
    const connectionType = params.connection_type ?? '';
    // A bad ctp_config is a 400 now too, not a failed job later.
    await compileCtpConfig(services, connectionType, parsed.ctp_config);
    const job = {
      traceId,
      connectionType,
      operationName: params.operation_name ?? '',
    };
    return await submitJob(services, job, request.body, (record) => ({
      status: 202,
      headers: traceHeaders(traceId),
      body: { [WireKey.requestId]: record.request_id, [WireKey.traceId]: traceId },
    }));
  } catch (error) {
    return errorResponse(error, traced.traceId);
  }
}

/**
 * GET /async/api/v1/status/{request_id}: the job as its most advanced record says, Failed past its deadline, and
 * `"unknown"` with null times for an id this storage does not hold (Apollo's answer for an unknown instance).
 */
export async function asyncStatusRoute({ services, params }: RouteContext): Promise<AgentResponse> {
  const requestId = params.request_id ?? '';
  const store = await JobStore.of(services);
  const stored = isRequestId(requestId) ? await store.read(requestId) : undefined;
  const record = stored && recordAt(stored, services.async.now());
  const resultUrl =
    record?.result_key && isFinal(record.status)
      ? await store.resultUrl(record.result_key, services.config.preSignedUrlExpirationSeconds)
      : undefined;
  const progress = record?.kind ? await store.progress(record.request_id) : undefined;
  return jsonResponse(statusBody(record, resultUrl, progress), record?.trace_id);
}
