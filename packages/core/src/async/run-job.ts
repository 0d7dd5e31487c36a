import type { AgentServices } from '../agent/agent-services';
import { toErrorEnvelope } from '../errors/error-envelope';
import { executeOperation } from '../execute/execute-operation';
import { trackJobWorker } from '../execute/operations-in-flight';
import { currentLogContext, runWithLogContext } from '../logging/log-context';
import {
  type AgentResponse,
  GZIP_CONTENT_TYPE,
  isBinaryBody,
  isReadable,
  JSON_CONTENT_TYPE,
} from '../protocol/agent-response';
import { TRACE_ID_HEADER, WireKey } from '../protocol/wire-keys';
import type { AsyncWork } from './async-dispatcher';
import { finishJob, type Outcome } from './finish-job';
import { type JobRun, type JobRuntime, loadJobKind } from './job-kinds';
import { type JobKindName, type JobRecord, jobKey, RESULT_FILE } from './job-records';
import { timedOutMessage } from './job-status';
import { JobStore } from './job-store';

const TIMED_OUT = Symbol('timed out');

/**
 * The worker (SPEC §8), wherever the work arrives: in-process, a Lambda Event invocation, an Azure queue message.
 * It starts a Pending job once (the Running record is created only if absent, so a redelivered event does nothing),
 * refuses one whose deadline has passed (Apollo's "Activity expired"), runs the request through the same execute
 * path as the sync route under the job's log context, and records the outcome. Its own deadline timer records
 * "Activity timed out" if the operation outlives it. Rejects only when storage itself fails, so that a queue
 * redelivers the message. A job of a kind (job-kinds.ts) runs its kind's worker instead, which may hand the rest of
 * the job to a continuation: `work.continuation` names which one, taken once.
 */
export async function runJob(services: AgentServices, work: AsyncWork, runtime: JobRuntime = {}): Promise<void> {
  const { logger } = services;
  const store = await JobStore.of(services);
  const record = await store.read(work.request_id);
  if (!record) {
    logger.warn('Async work for an unknown job', { mcd_request_id: work.request_id });
    return;
  }
  const context = {
    ...record.log_context,
    ...currentLogContext(),
    mcd_trace_id: record.trace_id,
    mcd_operation_name: `${record.connection_type}/${record.operation_name}`,
    mcd_request_id: record.request_id,
  };
  await runWithLogContext(context, async () => {
    if (work.continuation) {
      await continueJob(services, store, record, work.continuation, runtime);
      return;
    }
    if (record.status !== 'Pending') {
      logger.info(`Async job is already ${record.status}; not started again`);
      return;
    }
    const startedAt = services.async.now();
    if (startedAt > record.deadline) {
      const waited = ((startedAt - record.created) / 1000).toFixed(3);
      logger.warn(`Activity expired after ${waited} seconds.`);
      await finishJob(services, store, record, failed(`Activity expired after ${waited} seconds.`));
      return;
    }
    const running: JobRecord = { ...record, status: 'Running', updated: startedAt };
    if (!(await store.advance(running))) {
      logger.info('Async job started by another worker');
      return;
    }
    const requestBody = await store.request(record.request_id);
    if (!requestBody) {
      await finishJob(services, store, running, failed('The async request is no longer in storage.'));
      return;
    }
    if (running.kind) {
      const outcome = await runKind(services, store, running, running.kind, requestBody, { continuation: 0, runtime });
      if (outcome) await finishJob(services, store, running, outcome, requestBody);
      return;
    }
    const recorded = runBeforeDeadline(services, store, running, requestBody).then((outcome) =>
      finishJob(services, store, running, outcome, requestBody),
    );
    await trackJobWorker(services, recorded);
  });
}

/**
 * The n-th continuation of a job of a kind: only a Running job continues, only while its lease holds, and only
 * once (the `run-<n>.json` claim is created if absent, so a redelivered event finds it taken).
 */
async function continueJob(
  services: AgentServices,
  store: JobStore,
  record: JobRecord,
  continuation: number,
  runtime: JobRuntime,
): Promise<void> {
  const { logger } = services;
  if (!record.kind || record.status !== 'Running') {
    logger.info(`Async job is ${record.status}; continuation ${continuation} not run`);
    return;
  }
  const now = services.async.now();
  if (now > record.deadline) {
    logger.warn(timedOutMessage(record));
    await finishJob(services, store, record, failed(timedOutMessage(record)));
    return;
  }
  if (!(await store.claimRun(record.request_id, continuation, now))) {
    logger.info(`Async job continuation ${continuation} was taken by another worker`);
    return;
  }
  const requestBody = await store.request(record.request_id);
  if (!requestBody) {
    await finishJob(services, store, record, failed('The async request is no longer in storage.'));
    return;
  }
  const outcome = await runKind(services, store, record, record.kind, requestBody, { continuation, runtime });
  if (outcome) await finishJob(services, store, record, outcome, requestBody);
}

/** The kind's worker; a crash is the machinery's failure (Failed), as for an operation. */
async function runKind(
  services: AgentServices,
  store: JobStore,
  record: JobRecord,
  kindName: JobKindName,
  requestBody: Buffer,
  run: JobRun,
): Promise<Outcome | undefined> {
  try {
    const kind = await loadJobKind(kindName);
    return await kind.run(services, store, record, requestBody, run);
  } catch (error) {
    services.logger.error('Async job crashed', { error: (error as Error)?.message });
    return { status: 'Failed', body: { ...toErrorEnvelope(error, { traceId: record.trace_id }) } };
  }
}

async function runBeforeDeadline(
  services: AgentServices,
  store: JobStore,
  record: JobRecord,
  requestBody: Buffer,
): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, record.deadline - services.async.now()), TIMED_OUT);
    // Never the reason a process stays up: a Lambda invocation or a queue trigger awaits this promise anyway.
    timer.unref();
  });
  try {
    const run = executeOperation(services, record.connection_type, record.operation_name, requestBody, {
      offloadKey: jobKey(record.request_id, RESULT_FILE),
    }).then((response) => outcomeOf(store, record, response));
    const winner = await Promise.race([run, deadline]);
    if (winner !== TIMED_OUT) return winner;
    services.logger.warn(timedOutMessage(record));
    return failed(timedOutMessage(record));
  } catch (error) {
    services.logger.error('Async job crashed', { error: (error as Error)?.message });
    return { status: 'Failed', body: { ...toErrorEnvelope(error, { traceId: record.trace_id }) } };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The execute path's answer as a final record. A JSON envelope is kept as it is (an operation that failed is still
 * Completed, with its error envelope, as in Apollo); one the execute path offloaded keeps the key, signed anew on
 * each read. A body that cannot be merged into the status JSON (inline gzip, binary) goes to the job's result
 * object, read through `__mcd_result_location__`. An unexpected 5xx is the machinery's failure: Failed.
 */
async function outcomeOf(store: JobStore, record: JobRecord, response: AgentResponse): Promise<Outcome> {
  const contentType = response.headers['content-type'] ?? JSON_CONTENT_TYPE;
  const traceId = response.headers[TRACE_ID_HEADER] ?? record.trace_id;
  if (!isBinaryBody(response.body) || contentType === JSON_CONTENT_TYPE) {
    // A large JSON answer arrives as a stream of its encoded chunks: the status record holds it whole anyway.
    const bytes = isReadable(response.body) ? Buffer.concat(await response.body.toArray()) : response.body;
    const body = (Buffer.isBuffer(bytes) ? JSON.parse(bytes.toString('utf8')) : bytes) as Record<string, unknown>;
    const offloaded = WireKey.resultLocation in body;
    if (offloaded) delete body[WireKey.resultLocation];
    return {
      status: response.status >= 500 ? 'Failed' : 'Completed',
      body,
      resultKey: offloaded ? jobKey(record.request_id, RESULT_FILE) : undefined,
    };
  }
  const data = response.body instanceof Uint8Array ? Buffer.from(response.body) : response.body;
  const resultKey = await store.writeResult(record.request_id, data);
  const body: Record<string, unknown> = { [WireKey.traceId]: traceId };
  if (contentType === GZIP_CONTENT_TYPE) body[WireKey.resultCompressed] = true;
  return { status: 'Completed', body, resultKey };
}

function failed(message: string): Outcome {
  return { status: 'Failed', body: { [WireKey.error]: message } };
}

/**
 * Work that its transport gave up on (an Azure queue message moved to the poison queue after repeated failures):
 * the job ends Failed with `reason`, unless it has already ended.
 */
export async function abandonJob(services: AgentServices, work: AsyncWork, reason: string): Promise<void> {
  const store = await JobStore.of(services);
  const record = await store.read(work.request_id);
  if (!record || record.status === 'Completed' || record.status === 'Failed' || record.status === 'Terminated') return;
  services.logger.warn('Async work abandoned', { mcd_request_id: work.request_id, reason });
  await finishJob(services, store, record, failed(reason));
}
