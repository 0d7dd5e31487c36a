import * as z from 'zod/mini';

/*
 * What a job keeps in the agent's storage, under `async/<request_id>/` (relative to MCD_STORAGE_PREFIX):
 *
 *   request.json   the submitted body, as received (credentials included); deleted when the job ends
 *   pending.json   written at submission
 *   running.json   written by the worker that starts the job
 *   final.json     Completed | Failed | Terminated, with the envelope
 *   result         a large, compressed or binary result (served through a pre-signed URL)
 *
 * A job of a `kind` (a webhook delivery, SPEC §14) may run in several parts past one invocation's deadline:
 *
 *   progress.json  overwritten as the job goes: its own progress (a delivery's checkpoint), and a `deadline` that
 *                  extends the job's (a lease: a job that keeps reporting progress is alive)
 *   run-<n>.json   created only if absent by the worker that takes the n-th continuation, so it runs once
 *
 * Each state is its own object, created only if absent (`writeIfAbsent`): a state can never be overwritten, two
 * workers cannot both start a job, and exactly one terminal state is ever recorded, so a job only moves forward.
 * Every record repeats the job's identity, so the most advanced one alone answers a status read.
 */

export const JOB_STATES = ['Pending', 'Running', 'Completed', 'Failed', 'Terminated'] as const;
export type JobState = (typeof JOB_STATES)[number];
export type FinalState = Extract<JobState, 'Completed' | 'Failed' | 'Terminated'>;

const logValue = z.union([z.string(), z.number(), z.boolean()]);

/** Jobs that are not an execute operation: each kind has its own worker (job-kinds.ts). */
export const JOB_KINDS = ['delivery'] as const;
export type JobKindName = (typeof JOB_KINDS)[number];

export const jobRecordSchema = z.object({
  v: z.literal(1),
  status: z.enum(JOB_STATES),
  request_id: z.string(),
  trace_id: z.string(),
  connection_type: z.string(),
  operation_name: z.string(),
  /** Unix ms. */
  created: z.number(),
  /** Unix ms: past it, a job that has not ended reads Failed. */
  deadline: z.number(),
  /** Unix ms of this record. */
  updated: z.number(),
  /** The submitting request's log context (trace, platform request ids), restored around the work. */
  log_context: z.record(z.string(), logValue),
  /** Final records: the envelope whose keys the status answer carries at top level. */
  body: z.optional(z.record(z.string(), z.unknown())),
  /** Final records: the key of the offloaded result, signed anew on each read. */
  result_key: z.optional(z.string()),
  /** Absent for an execute operation; the job's kind otherwise (its worker, its progress record). */
  kind: z.optional(z.enum(JOB_KINDS)),
});

export type JobRecord = z.output<typeof jobRecordSchema>;

export const RECORD_FILES: Readonly<Record<'Pending' | 'Running' | 'final', string>> = {
  Pending: 'pending.json',
  Running: 'running.json',
  final: 'final.json',
};
export const REQUEST_FILE = 'request.json';
export const RESULT_FILE = 'result';
export const PROGRESS_FILE = 'progress.json';

/** The claim of a job's n-th continuation (n ≥ 1; the Running record is the first run's). */
export function runFile(continuation: number): string {
  return `run-${continuation}.json`;
}

/**
 * The part of `progress.json` the machinery reads: when it was written and until when the job counts as alive. The
 * rest belongs to the job's kind and is shown by the status route as `__mcd_progress__`.
 */
export const jobProgressSchema = z.looseObject({ updated: z.number(), deadline: z.number() });
export type JobProgress = z.output<typeof jobProgressSchema>;
export const ASYNC_PREFIX = 'async/';

export function jobKey(requestId: string, file: string): string {
  return `${ASYNC_PREFIX}${requestId}/${file}`;
}

export function isFinal(state: JobState): state is FinalState {
  return state === 'Completed' || state === 'Failed' || state === 'Terminated';
}
