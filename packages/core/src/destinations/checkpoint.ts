import * as z from 'zod/mini';
import type { JobStore } from '../async/job-store';

/*
 * A delivery's checkpoint (SPEC §14): the job's progress record (`async/<job_id>/progress.json`), rewritten after
 * every acknowledged batch and at every hand-over. It says where the file has been read to — `byte_offset` is always
 * the end of a line whose batch is settled (acknowledged, or failed and listed), so a continuation resumes there and
 * neither sends a settled record again nor skips an unsettled one — what was sent, the errors, and the state a
 * continuation needs (the unacknowledged batch's retry count, the rate limit's bucket). Its `deadline` is the job's
 * lease: a delivery that stops checkpointing reads Failed once it passes.
 */

export const MAX_LISTED_ERRORS = 100;

const count = z.number().check(z.int(), z.nonnegative());

export const deliveryErrorSchema = z.object({
  /** The batch (1-based) when a batch failed; absent for a line that was skipped. */
  batch: z.optional(count),
  /** The line (a skipped record), or the first and last line of the failed batch. */
  line: z.optional(count),
  last_line: z.optional(count),
  records: z.optional(count),
  /** The destination's HTTP status, when it answered. */
  status: z.optional(z.number()),
  message: z.string(),
});
export type DeliveryError = z.output<typeof deliveryErrorSchema>;

export const DELIVERY_STATES = ['running', 'handover', 'succeeded', 'failed'] as const;

export const checkpointSchema = z.object({
  v: z.literal(1),
  updated: z.number(),
  deadline: z.number(),
  state: z.enum(DELIVERY_STATES),
  /** The run that wrote it; at a hand-over, the continuation that goes on. */
  continuation: count,
  byte_offset: count,
  /** The file's size, when the server said; progress is byte_offset / total_bytes. */
  total_bytes: z.nullable(count),
  /** Lines read through byte_offset (records, blank lines and skipped ones). */
  lines: count,
  records_sent: count,
  records_failed: count,
  records_invalid: count,
  records_dropped: count,
  batches_sent: count,
  batches_failed: count,
  errors: z.array(deliveryErrorSchema),
  errors_total: count,
  /** The file's ETag on the first read: a continuation refuses a file that changed. */
  etag: z.nullable(z.string()),
  /** The batch at byte_offset was tried and not acknowledged: attempts so far, and not before when to try again. */
  retry: z.nullable(z.object({ attempts: count, not_before: z.number() })),
  rate: z.nullable(z.object({ tokens: z.number(), at: z.number() })),
  /** When the last `running` status report was sent (reports are spaced across runs too). */
  reported_at: z.nullable(z.number()),
  /** Why the delivery failed. */
  reason: z.optional(z.string()),
});
export type Checkpoint = z.output<typeof checkpointSchema>;

export function initialCheckpoint(now: number, deadline: number): Checkpoint {
  return {
    v: 1,
    updated: now,
    deadline,
    state: 'running',
    continuation: 0,
    byte_offset: 0,
    total_bytes: null,
    lines: 0,
    records_sent: 0,
    records_failed: 0,
    records_invalid: 0,
    records_dropped: 0,
    batches_sent: 0,
    batches_failed: 0,
    errors: [],
    errors_total: 0,
    etag: null,
    retry: null,
    rate: null,
    reported_at: null,
  };
}

/** The checkpoint with `found` added to its errors: every one counted, the first MAX_LISTED_ERRORS listed. */
export function withErrors(checkpoint: Checkpoint, found: readonly DeliveryError[]): Checkpoint {
  if (found.length === 0) return checkpoint;
  const room = Math.max(0, MAX_LISTED_ERRORS - checkpoint.errors.length);
  return {
    ...checkpoint,
    errors: [...checkpoint.errors, ...found.slice(0, room)],
    errors_total: checkpoint.errors_total + found.length,
  };
}

/** Progress by bytes, 0 to 1 (0 while the size is unknown). */
export function progressOf(checkpoint: Checkpoint): number {
  if (checkpoint.state === 'succeeded') return 1;
  if (!checkpoint.total_bytes) return 0;
  return Math.min(1, Math.round((checkpoint.byte_offset / checkpoint.total_bytes) * 10_000) / 10_000);
}

/** One error as the status API shows it: a line of text that names where, never a record's content. */
export function describeError(error: DeliveryError): string {
  if (error.batch === undefined) return `line ${error.line}: ${error.message}`;
  const lines = error.line === undefined ? '' : `, lines ${error.line}-${error.last_line ?? error.line}`;
  const records = error.records === undefined ? '' : `, ${error.records} records`;
  return `batch ${error.batch}${lines}${records}: ${error.message}`;
}

/** The errors for a status report: the listed ones, and a last line counting the rest. */
export function describeErrors(checkpoint: Checkpoint): string[] {
  const lines = checkpoint.errors.map(describeError);
  const unlisted = checkpoint.errors_total - checkpoint.errors.length;
  if (unlisted > 0) lines.push(`… and ${unlisted} more errors`);
  return lines;
}

/** Reads a stored checkpoint; undefined when there is none or it is not a delivery's. */
export async function readCheckpoint(store: JobStore, jobId: string): Promise<Checkpoint | undefined> {
  const progress = await store.progress(jobId);
  const parsed = checkpointSchema.safeParse(progress);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Writes checkpoints in the background, in order, one at a time, so that storage latency overlaps the destination's
 * instead of adding to it: `write` hands over the newest checkpoint and returns. When storage is slower than the
 * destination, a checkpoint still waiting is replaced by a newer one (each is a complete state), so the stored one
 * is never behind by more than the write in flight. `flush` waits until the newest is stored and reports the first
 * failure: a run flushes before it hands over or ends, and a delivery that cannot checkpoint stops.
 */
export class CheckpointWriter {
  #waiting: Checkpoint | undefined;
  #draining: Promise<void> | undefined;
  #failure: { readonly error: unknown } | undefined;

  constructor(
    private readonly store: JobStore,
    private readonly jobId: string,
  ) {}

  write(checkpoint: Checkpoint): void {
    this.#throwIfFailed();
    this.#waiting = checkpoint;
    this.#draining ??= this.#drain();
  }

  async flush(): Promise<void> {
    await this.#draining;
    this.#throwIfFailed();
  }

  async #drain(): Promise<void> {
    for (let next = this.#waiting; next; next = this.#waiting) {
      this.#waiting = undefined;
      try {
        await this.store.writeProgress(this.jobId, next);
      } catch (error) {
        this.#failure ??= { error };
      }
    }
    this.#draining = undefined;
  }

  #throwIfFailed(): void {
    if (this.#failure) throw this.#failure.error;
  }
}
