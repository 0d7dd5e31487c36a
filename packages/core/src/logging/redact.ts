export const REDACTED = '__redacted__';

/*
 * The one redaction module: log records (logger.ts) and the health route's view of the environment (health-env.ts)
 * hide secrets by the name they sit under and by the shape of the value itself.
 */

/** A variable whose name says it holds a secret (SPEC §6): never shown, never echoed in a configuration error. */
export const SECRET_NAME = /secret|pass|token|key|credential/i;

/** Key names whose values never reach a log line (apollo-inventory §3.6 `standard_redact`, plus `obj_to_write`). */
const SENSITIVE_KEY = /pass|secret|token|auth|credential|key|obj_to_write|connect_args/i;
/** Keys that look sensitive but are ours and safe. */
const SAFE_KEYS = new Set(['mcd_trace_id', 'mcd_operation_name', 'mcd_request_id', 'trace_id', 'key_count']);
/** A run of 32+ token characters is treated as a secret wherever it appears in a value. */
const TOKEN_LIKE = /[A-Za-z0-9_\-+=/]{32,}/;

/** `scheme://user:password@host`: the password, up to the last `@` before the path (unencoded `@`s included). */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/?#]*):[^\s/?#]*@/gi;
/** `key=value` pairs whose key names a secret: libpq `password=…`, ODBC `PWD=…;`, a URL query's `&token=…`. */
const PAIR_KEY = String.raw`(^|[\s;&?,])([\w.-]*(?:pass|pwd|secret|token|key|sig|auth|credential)[\w.-]*\s*=\s*)`;
const QUOTED = String.raw`'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\{(?:[^}]|\}\})*\}`;
/** ODBC strings are `;`-separated and their values may hold spaces; libpq's and URL queries' end at a space or `&`. */
const ODBC_PAIR = new RegExp(`${PAIR_KEY}(?:${QUOTED}|[^;]*)`, 'gi');
const LIBPQ_PAIR = new RegExp(`${PAIR_KEY}(?:${QUOTED}|[^\\s&]*)`, 'gi');

/** A copy of `value` with sensitive keys, token-like strings and secrets inside strings replaced by `__redacted__`. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 16) return REDACTED;
  if (typeof value === 'string') return TOKEN_LIKE.test(value) ? REDACTED : redactText(value);
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

/** Secrets inside free text: URL passwords and connection-string `password=` / `pwd=` parts. */
export function redactText(text: string): string {
  let out = text.includes('://') ? text.replace(URL_PASSWORD, `$1:${REDACTED}@`) : text;
  if (out.includes('=')) out = out.replace(out.includes(';') ? ODBC_PAIR : LIBPQ_PAIR, `$1$2${REDACTED}`);
  return out;
}

/**
 * A configuration value as the health route shows it: a JSON document (object or array, typically an `env_var`
 * credentials document) with its sensitive keys redacted at any depth and its strings checked like log values;
 * any other text with its URL and connection-string passwords hidden.
 */
export function redactSetting(value: string): string {
  const start = value.trimStart()[0];
  if (start !== '{' && start !== '[') return redactText(value);
  try {
    return JSON.stringify(redact(JSON.parse(value)));
  } catch {
    return '<invalid JSON: hidden>';
  }
}
