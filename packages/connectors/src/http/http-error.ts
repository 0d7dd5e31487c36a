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
