export const REDACTED = '__redacted__';

/** Key names whose values never reach a log line (apollo-inventory §3.6 `standard_redact`, plus `obj_to_write`). */
const SENSITIVE_KEY = /pass|secret|token|auth|credential|key|obj_to_write|connect_args/i;
/** Keys that look sensitive but are ours and safe. */
const SAFE_KEYS = new Set(['mcd_trace_id', 'mcd_operation_name', 'mcd_request_id', 'trace_id', 'key_count']);
/** A run of 32+ token characters is treated as a secret wherever it appears in a value. */
const TOKEN_LIKE = /[A-Za-z0-9_\-+=/]{32,}/;

/** A copy of `value` with sensitive keys and token-like strings replaced by `__redacted__`. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 16) return REDACTED;
  if (typeof value === 'string') return TOKEN_LIKE.test(value) ? REDACTED : value;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value instanceof Error) return { name: value.name, message: redact(value.message, depth + 1) };
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      SAFE_KEYS.has(key) ? item : SENSITIVE_KEY.test(key) ? REDACTED : redact(item, depth + 1),
    ]),
  );
}
