/*
 * When to try a batch again: the destination's `Retry-After` when it sent one (delta-seconds or an HTTP date, RFC 9110
 * §10.2.3), else exponential backoff with jitter. Both are capped, so a destination cannot park a delivery for hours;
 * a wait longer than the run's remaining time carries over to the continuation (the checkpoint keeps when).
 */

/** The longest pause honoured, whatever the destination asks. */
export const MAX_RETRY_DELAY_MS = 300_000;
const MAX_BACKOFF_MS = 60_000;

/** Milliseconds a `Retry-After` value asks for; undefined when it says nothing usable. */
export function retryAfterMs(value: unknown, now: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (typeof raw === 'number')
    return Number.isFinite(raw) && raw >= 0 ? Math.min(raw * 1000, MAX_RETRY_DELAY_MS) : undefined;
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const text = raw.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_DELAY_MS);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, date - now), MAX_RETRY_DELAY_MS);
}

/**
 * Backoff after `attempt` failed attempts: `firstMs` (MCD_DESTINATION_RETRY_DELAY_MS), doubled each time up to 60 s,
 * times a random factor from 1 to 2 so that many deliveries do not retry in step.
 */
export function backoffMs(attempt: number, firstMs: number, random: () => number = Math.random): number {
  const base = Math.min(firstMs * 2 ** Math.max(0, attempt - 1), MAX_BACKOFF_MS);
  return Math.round(base * (1 + random()));
}
