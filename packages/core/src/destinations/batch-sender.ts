import { AgentError } from '../errors/agent-errors';
import type { BatchContext, DestinationContext } from './destination-module';
import { backoffMs, retryAfterMs } from './retry-timing';
import type { TokenBucket } from './token-bucket';

/*
 * One batch to the destination (SPEC §14): under the job's rate limit, retried with backoff on 408, 429, 5xx and
 * network errors, after `Retry-After` when the destination sends one, up to MCD_DESTINATION_BATCH_RETRIES times. A
 * wait that would run into the run's margin is not waited out: the batch is `paused`, and the continuation takes it
 * up with the attempts already made (the checkpoint keeps them), so a batch is never sent twice unless it was
 * unacknowledged, and never retried more than configured across continuations.
 */

export type SendResult =
  | { readonly kind: 'acked'; readonly attempts: number }
  | { readonly kind: 'failed'; readonly attempts: number; readonly message: string; readonly status?: number }
  /** The delivery cannot go on (the guard refuses the destination, credentials are wrong, `fatal: true`). */
  | { readonly kind: 'fatal'; readonly message: string }
  | { readonly kind: 'paused'; readonly attempts: number; readonly notBefore: number };

export interface RunClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Milliseconds this run may still work before it must hand over (its margin already taken off). */
  workLeft(): number;
  /** Milliseconds before the invocation itself ends (the margin included). */
  remaining(): number;
}

export interface SendOptions {
  /** The destination's `send` (or `sendJsonText`). */
  readonly send: (batch: readonly unknown[], context: BatchContext) => Promise<unknown>;
  readonly context: DestinationContext;
  readonly batchNumber: number;
  /** Attempts made by earlier runs, and when the next may start (from the checkpoint). */
  readonly attempts: number;
  readonly notBefore: number;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly requestTimeoutMs: number;
  readonly bucket: TokenBucket | undefined;
  readonly clock: RunClock;
}

export async function sendBatch(batch: readonly unknown[], options: SendOptions): Promise<SendResult> {
  const { clock, bucket } = options;
  let attempts = options.attempts;
  let notBefore = options.notBefore;
  for (;;) {
    const wait = Math.max(0, notBefore - clock.now(), bucket?.delayMs(clock.now()) ?? 0);
    if (wait > 0) {
      // Waiting out what fits in this run moves time on even when the rest carries over to the continuation.
      if (wait > clock.workLeft()) {
        await clock.sleep(Math.max(0, clock.workLeft()));
        return {
          kind: 'paused',
          attempts,
          notBefore: Math.max(notBefore, clock.now() + (bucket?.delayMs(clock.now()) ?? 0)),
        };
      }
      await clock.sleep(wait);
      continue;
    }
    if (clock.workLeft() <= 0) return { kind: 'paused', attempts, notBefore };
    bucket?.take(clock.now());
    attempts++;
    const failure = await attempt(batch, options);
    if (!failure) return { kind: 'acked', attempts };
    const verdict = classify(failure);
    if (verdict.kind === 'fatal') return { kind: 'fatal', message: verdict.message };
    if (verdict.kind === 'failed' || attempts > options.retries) {
      return { kind: 'failed', attempts, message: verdict.message, ...statusOf(verdict) };
    }
    const delay = retryAfterMs(verdict.retryAfter, clock.now()) ?? backoffMs(attempts, options.retryDelayMs);
    notBefore = clock.now() + delay;
    options.context.logger.warn('Batch not acknowledged; retrying', {
      batch: options.batchNumber,
      attempt: attempts,
      ...statusOf(verdict),
      retry_in_ms: delay,
    });
  }
}

/**
 * One call of the destination's `send`, bounded by the request timeout: its signal aborts then, and an answer that
 * still has not come counts as a network failure (a destination that ignores the signal cannot hold the run).
 * Resolves the error it failed with, if any.
 */
async function attempt(batch: readonly unknown[], options: SendOptions): Promise<unknown> {
  const controller = new AbortController();
  const timeoutMs = Math.max(1, Math.min(options.requestTimeoutMs, options.clock.remaining()));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Error>((resolve) => {
    timer = setTimeout(() => {
      const error = new Error(`no answer within ${timeoutMs} ms`);
      controller.abort(error);
      resolve(error);
    }, timeoutMs);
  });
  const { signal } = controller;
  const context: BatchContext = {
    ...options.context,
    batchNumber: options.batchNumber,
    signal,
    request: (url, init = {}) => options.context.request(url, { ...init, signal: init.signal ?? signal }),
  };
  try {
    const sent = Promise.resolve()
      .then(() => options.send(batch, context))
      .then(
        () => undefined,
        (error: unknown) => error ?? new Error('send failed'),
      );
    return await Promise.race([sent, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

type Verdict =
  | { readonly kind: 'retry'; readonly message: string; readonly status?: number; readonly retryAfter?: unknown }
  | { readonly kind: 'failed'; readonly message: string; readonly status?: number }
  | { readonly kind: 'fatal'; readonly message: string };

interface SendError {
  readonly message?: unknown;
  readonly status?: unknown;
  readonly retryable?: unknown;
  readonly retryAfter?: unknown;
  readonly fatal?: unknown;
}

/** What a failed `send` means, from the error it threw (the contract is in destination-module.ts). */
export function classify(error: unknown): Verdict {
  const failure = (typeof error === 'object' && error !== null ? error : {}) as SendError;
  const message = String(failure.message ?? error).slice(0, 500);
  // The guard refusing the destination, or storage refusing the agent: no attempt would be different.
  if (error instanceof AgentError && (error.errorType === 'Forbidden' || error.errorType === 'Permissions')) {
    return { kind: 'fatal', message };
  }
  if (failure.fatal === true) return { kind: 'fatal', message };
  const status = typeof failure.status === 'number' ? failure.status : undefined;
  const retryable =
    typeof failure.retryable === 'boolean'
      ? failure.retryable
      : status === undefined || status === 408 || status === 429 || status >= 500;
  const withStatus = status === undefined ? {} : { status };
  return retryable
    ? { kind: 'retry', message, ...withStatus, retryAfter: failure.retryAfter }
    : { kind: 'failed', message, ...withStatus };
}

function statusOf(verdict: { readonly status?: number }): { status?: number } {
  return verdict.status === undefined ? {} : { status: verdict.status };
}
