import type { AgentServices } from '../agent/agent-services';
import { AgentError } from '../errors/agent-errors';
import { currentLogContext, runWithLogContext } from '../logging/log-context';
import { WireKey } from '../protocol/wire-keys';
import type { JobKindName, JobRecord } from './job-records';
import { JobStore } from './job-store';
import { newRequestId } from './request-id';

/** The runtime could not take the work (Lambda refused the invoke, the queue is unreachable): nothing will run it. */
export class AsyncDispatchError extends AgentError {
  override readonly status = 503;
  override readonly errorType = 'AsyncDispatchFailed';
}

export interface NewJob {
  readonly traceId: string;
  readonly connectionType: string;
  readonly operationName: string;
  readonly kind?: JobKindName | undefined;
}

/**
 * Stores a new job (its request, then its Pending record) and hands it to the runtime's dispatcher, under the job's
 * log context; resolves the job's record once both have happened. When the dispatcher refuses, the job is ended
 * Failed on the spot (no status read ever shows it waiting; the caller gets no id, so nobody is told) and the
 * submission fails with AsyncDispatchError. `run` goes on inside the same log context.
 */
export async function submitJob<T>(
  services: AgentServices,
  job: NewJob,
  requestBody: Buffer,
  then: (record: JobRecord) => T,
): Promise<T> {
  const now = services.async.now();
  const record: JobRecord = {
    v: 1,
    status: 'Pending',
    request_id: newRequestId(now),
    trace_id: job.traceId,
    connection_type: job.connectionType,
    operation_name: job.operationName,
    created: now,
    deadline: now + services.config.async.timeoutSeconds * 1000,
    updated: now,
    log_context: loggable(currentLogContext()),
    ...(job.kind ? { kind: job.kind } : {}),
  };
  const context = {
    mcd_trace_id: job.traceId,
    mcd_operation_name: `${job.connectionType}/${job.operationName}`,
    mcd_request_id: record.request_id,
  };
  return runWithLogContext(context, async () => {
    const store = await JobStore.of(services);
    await store.submit(record, requestBody);
    try {
      await services.async.dispatcher.dispatch({ request_id: record.request_id });
    } catch (error) {
      services.logger.error('Async dispatch failed', { error: (error as Error)?.message });
      const message = `Could not dispatch the async operation: ${(error as Error)?.message ?? String(error)}`;
      await store.advance({
        ...record,
        status: 'Failed',
        updated: services.async.now(),
        body: { [WireKey.error]: message },
      });
      throw new AsyncDispatchError(message, { cause: error });
    }
    services.logger.info('Async operation accepted', { dispatcher: services.async.dispatcher.kind });
    return then(record);
  });
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
