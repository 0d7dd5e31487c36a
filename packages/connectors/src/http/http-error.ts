import { OperationError } from '@artemis/core';

/**
 * A non-2xx answer, reported as Apollo did: `__mcd_error_type__: "HTTPError"` and
 * `__mcd_error_attrs__: {status_code, reason}`, the message being the response text (or requests' own wording when
 * the body is empty). `retryAfterMs` is kept for the retry policy only; it never reaches the envelope.
 */
export class HTTPError extends OperationError {
  override readonly errorType = 'HTTPError';
  override readonly attrs: Readonly<{ status_code: number; reason: string }>;
  readonly statusCode: number;
  readonly retryAfterMs: number | undefined;

  constructor(url: string, statusCode: number, reason: string, text: string, retryAfterMs?: number) {
    const kind = statusCode < 500 ? 'Client' : 'Server';
    super(text || `${statusCode} ${kind} Error: ${reason} for url: ${url}`);
    this.statusCode = statusCode;
    this.attrs = { status_code: statusCode, reason };
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * The request never got an answer: refused connection, DNS failure, TLS verification, timeout (requests'
 * ConnectionError / SSLError / Timeout). The message keeps Node's code, e.g. `DEPTH_ZERO_SELF_SIGNED_CERT`.
 */
export class ConnectionError extends OperationError {
  constructor(url: string, failure: unknown) {
    // An aborted request carries the signal's reason (e.g. the TimeoutError) as its cause: that is the real story.
    const inner = (failure as { name?: unknown; cause?: unknown } | null)?.cause;
    const cause = (failure as { name?: unknown } | null)?.name === 'AbortError' && inner ? inner : failure;
    const { message, code } = (cause ?? {}) as { message?: unknown; code?: unknown };
    const detail = typeof message === 'string' && message ? message : String(cause);
    super(`Request to ${url} failed: ${detail}${typeof code === 'string' ? ` (${code})` : ''}`, { cause });
  }
}
