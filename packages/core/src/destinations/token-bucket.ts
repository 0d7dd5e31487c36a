import type { RateLimit } from './destination-module';

export interface BucketState {
  readonly tokens: number;
  /** When `tokens` was counted (ms, the job's clock). */
  readonly at: number;
}

/**
 * The job's rate limit (SPEC §14): a token bucket holding `requests` tokens, refilled at `requests / perSeconds`
 * per second, one token per request to the destination. Its state travels in the checkpoint, so a continuation
 * does not start with a full bucket right after its predecessor emptied one. Time is passed in, never read.
 */
export class TokenBucket {
  readonly #capacity: number;
  /** Tokens per millisecond. */
  readonly #rate: number;
  #tokens: number;
  #at: number;

  constructor(limit: RateLimit, now: number, saved?: BucketState | null) {
    this.#capacity = limit.requests;
    this.#rate = limit.requests / (limit.perSeconds * 1000);
    this.#tokens = saved ? Math.min(saved.tokens, this.#capacity) : this.#capacity;
    this.#at = saved ? Math.min(saved.at, now) : now;
  }

  /** Milliseconds until a token is available (0: now). */
  delayMs(now: number): number {
    this.#refill(now);
    return this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) / this.#rate);
  }

  /** Takes a token (the caller waited `delayMs` first). */
  take(now: number): void {
    this.#refill(now);
    this.#tokens = Math.max(0, this.#tokens - 1);
  }

  state(): BucketState {
    return { tokens: this.#tokens, at: this.#at };
  }

  #refill(now: number): void {
    if (now <= this.#at) return;
    this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#at) * this.#rate);
    this.#at = now;
  }
}
