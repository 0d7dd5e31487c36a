import pRetry from 'p-retry';
import * as z from 'zod/mini';
import { HTTPError } from './http-error';

/**
 * do_request_with_retry's policy: Apollo's `retry_args` (`tries`, `delay`, `backoff`, `max_delay`, seconds) and
 * defaults (2 tries, 2 s, ×2, 10 s), bounded so the control plane cannot make the agent retry for ever.
 *
 * Backoff is p-retry (sindresorhus, ~100 M downloads a month, ESM, no dependencies beyond is-network-error): its
 * exponential delay with `randomize` is the jitter (×1–2, so never sooner than asked). p-retry 7 is the last major
 * that runs on Node 20 (8+ need Node 22). It knows nothing of HTTP, so `Retry-After` is honoured here: the wait
 * before the next try is the server's delay plus the backoff, never less than what the server asked.
 */
const MAX_TRIES = 10;

export const retryArgsSchema = z.object({
  tries: z.optional(z.int().check(z.minimum(1, 'expected 1 to 10'), z.maximum(MAX_TRIES, 'expected 1 to 10'))),
  delay: z.optional(z.number().check(z.minimum(0, 'expected 0 to 60 s'), z.maximum(60, 'expected 0 to 60 s'))),
  backoff: z.optional(z.number().check(z.minimum(1, 'expected 1 to 10'), z.maximum(10, 'expected 1 to 10'))),
  max_delay: z.optional(z.number().check(z.minimum(0, 'expected 0 to 300 s'), z.maximum(300, 'expected 0 to 300 s'))),
});

export type RetryArgs = z.output<typeof retryArgsSchema>;

/** A server that asks for a longer pause than this is not waited for: the error is returned at once. */
export const MAX_RETRY_AFTER_MS = 120_000;

/** [from, to) status ranges: `[[429, 430], [500, 600]]` retries 429 and every 5xx (Apollo's default). */
export type StatusRanges = readonly (readonly [number, number])[];

export const DEFAULT_RETRY_STATUS_RANGES: StatusRanges = [
  [429, 430],
  [500, 600],
];

export function isRetryStatus(ranges: StatusRanges, status: number): boolean {
  return ranges.some(([from, to]) => from <= status && status < to);
}

export function retryHttp<T>(attempt: () => Promise<T>, ranges: StatusRanges, args: RetryArgs = {}): Promise<T> {
  const retryable = (error: Error): error is HTTPError =>
    error instanceof HTTPError && isRetryStatus(ranges, error.statusCode);
  return pRetry(attempt, {
    retries: (args.tries ?? 2) - 1,
    minTimeout: (args.delay ?? 2) * 1000,
    factor: args.backoff ?? 2,
    maxTimeout: (args.max_delay ?? 10) * 1000,
    randomize: true,
    shouldRetry: ({ error }) => retryable(error),
    onFailedAttempt: async ({ error, retriesLeft }) => {
      if (retriesLeft <= 0 || !retryable(error) || error.retryAfterMs === undefined) return;
      // Throwing here ends the retries with this error, which is what the caller should see.
      if (error.retryAfterMs > MAX_RETRY_AFTER_MS) throw error;
      await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs));
    },
  });
}
