import type { RouteContext } from '../agent/agent-services';
import { AgentError } from '../errors/agent-errors';
import { compileCtpConfig, parseExecuteRequest } from '../execute/execute-operation';
import { errorResponse, jsonResponse, traceHeaders } from '../http/responses';
import { validate } from '../http/validation';
import { currentLogContext, runWithLogContext } from '../logging/log-context';
import type { AgentResponse } from '../protocol/agent-response';
import { WireKey } from '../protocol/wire-keys';
import { callbackOptionsSchema } from './callback-options';
import { isFinal, type JobRecord } from './job-records';
import { recordAt, statusBody } from './job-status';
import { JobStore } from './job-store';
import { isRequestId, newRequestId } from './request-id';

/** The runtime could not take the work (Lambda refused the invoke, the queue is unreachable): nothing will run it. */
export class AsyncDispatchError extends AgentError {
  override readonly status = 503;
  override readonly errorType = 'AsyncDispatchFailed';
}

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
    const operationName = params.operation_name ?? '';
    const now = services.async.now();
    const record: JobRecord = {
      v: 1,
      status: 'Pending',
      request_id: newRequestId(now),
      trace_id: traceId,
      connection_type: connectionType,
      operation_name: operationName,
      created: now,
      deadline: now + services.config.async.timeoutSeconds * 1000,
      updated: now,
      log_context: loggable(currentLogContext()),
    };
    return await runWithLogContext(
      {
        mcd_trace_id: traceId,
        mcd_operation_name: `${connectionType}/${operationName}`,
        mcd_request_id: record.request_id,
      },
      async () => {
        const store = await JobStore.of(services);
        await store.submit(record, request.body);
        try {
          await services.async.dispatcher.dispatch({ request_id: record.request_id });
        } catch (error) {
          services.logger.error('Async dispatch failed', { error: (error as Error)?.message });
          const message = `Could not dispatch the async operation: ${(error as Error)?.message ?? String(error)}`;
          // Ended here, so no status read ever shows it waiting; the caller got no id, so no callback either.
          await store.advance({
            ...record,
            status: 'Failed',
            updated: services.async.now(),
            body: { [WireKey.error]: message },
          });
          throw new AsyncDispatchError(message, { cause: error });
        }
        services.logger.info('Async operation accepted', { dispatcher: services.async.dispatcher.kind });
        return {
          status: 202,
          headers: traceHeaders(traceId),
          body: { [WireKey.requestId]: record.request_id, [WireKey.traceId]: traceId },
        };
      },
    );
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
  return jsonResponse(statusBody(record, resultUrl), record?.trace_id);
}

/** The JSON-safe part of a log context, kept with the job so that its worker's lines carry it too. */
function loggable(context: Readonly<Record<string, unknown>> | undefined): Record<string, string | number | boolean> {
  const kept: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(context ?? {})) {
    if (key === 'mcd_trace_id' || key === 'mcd_operation_name') continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') kept[key] = value;
  }
  return kept;
}
