import type { AgentServices } from '../agent/agent-services';
import type { Outcome } from './finish-job';
import type { JobKindName, JobRecord } from './job-records';
import type { JobStore } from './job-store';

/*
 * Jobs that are not an execute operation (SPEC §14: a webhook delivery). They share the async machinery — the
 * submit-store-dispatch path, the records, the status route, the one final writer — and bring their own worker,
 * which may end a run early and hand the rest to a continuation (`AsyncWork.continuation`) through the runtime's
 * own dispatcher. Each kind is imported on first use, so the execute path never loads one.
 */

/** What the runtime knows about the invocation a run happens in. */
export interface JobRuntime {
  /** Milliseconds the platform still gives this invocation (Lambda's `getRemainingTimeInMillis`); undefined elsewhere. */
  readonly remainingTimeMs?: (() => number) | undefined;
}

export interface JobRun {
  /** 0 for the first run, n for the n-th continuation. */
  readonly continuation: number;
  readonly runtime: JobRuntime;
}

export interface JobKind {
  /**
   * Runs (a part of) a started job: resolves its outcome when the job has ended, or undefined when it handed the rest
   * to a continuation it dispatched. Rejects only when storage fails.
   */
  run(
    services: AgentServices,
    store: JobStore,
    record: JobRecord,
    requestBody: Buffer,
    run: JobRun,
  ): Promise<Outcome | undefined>;
  /**
   * Called once per job by the writer of its final record, before the stored request is deleted: tells whoever
   * waits for the job (a delivery's status API). Never throws.
   */
  finished(services: AgentServices, store: JobStore, final: JobRecord, requestBody: Buffer | undefined): Promise<void>;
}

const LOADERS: Record<JobKindName, () => Promise<JobKind>> = {
  delivery: async () => (await import('../destinations/delivery-job')).deliveryJob,
};

export function loadJobKind(kind: JobKindName): Promise<JobKind> {
  return LOADERS[kind]();
}
