import type { AgentServices } from '../agent/agent-services';
import { encodeJsonBuffer } from '../encoding/json-encoder';
import { AgentError } from '../errors/agent-errors';
import { validate } from '../http/validation';
import { networkGuardFor } from '../network/guard-for';
import { guardedRequest } from '../network/guarded-http';
import { TRACE_ID_HEADER, WireKey } from '../protocol/wire-keys';
import { type CallbackOptions, headerMapSchema } from './callback-options';

/** Statuses worth another attempt: the receiver may answer later. Any other answer is final. */
const RETRY_STATUS = (status: number) => status === 408 || status === 429 || status >= 500;

class CallbackStatusError extends Error {
  constructor(readonly status: number) {
    super(`Callback answered HTTP ${status}`);
  }
}

/**
 * POSTs a job's final status to its `callback_url` (SPEC §8) with {@link sendWithRetries}. Called once per job, by
 * the one writer of its final record. Never throws: a callback that cannot be delivered is logged (without its
 * headers, which carry the receiver's key) and changes nothing about the job.
 */
export async function deliverCallback(
  services: AgentServices,
  callback: CallbackOptions,
  status: Readonly<Record<string, unknown>>,
): Promise<boolean> {
  const { logger } = services;
  const traceId = status[WireKey.traceId];
  try {
    const headers: Record<string, string> = {
      ...(await callbackHeaders(services, callback.headers)),
      'content-type': 'application/json',
    };
    if (typeof traceId === 'string') headers[TRACE_ID_HEADER] = traceId;
    await sendWithRetries(services, { url: callback.url, method: 'POST', headers, body: encodeJsonBuffer(status) });
    logger.info('Callback delivered', { mcd_request_id: status[WireKey.requestId] });
    return true;
  } catch (error) {
    logger.warn('Callback not delivered', { error: (error as Error).message });
    return false;
  }
}

export interface OutgoingJson {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/**
 * One request to a receiver the agent reports to (an async callback, a delivery's status API): through the SSRF
 * guard (a refused destination is not retried), each attempt bounded by MCD_ASYNC_CALLBACK_TIMEOUT_SECONDS, retried
 * MCD_ASYNC_CALLBACK_RETRIES times with exponential backoff and jitter (p-retry) on network errors, 408, 429 and
 * 5xx. Rejects with the last failure; failed attempts are logged without the headers (they carry the receiver's key).
 */
export async function sendWithRetries(services: AgentServices, request: OutgoingJson): Promise<void> {
  const { config, logger } = services;
  const guard = networkGuardFor(services);
  const { default: pRetry } = await import('p-retry');
  await pRetry(
    async () => {
      const response = await guardedRequest(guard, request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        timeoutMs: config.async.callbackTimeoutSeconds * 1000,
        maxBodyBytes: 64 * 1024,
      });
      if (response.status < 200 || response.status >= 300) throw new CallbackStatusError(response.status);
    },
    {
      retries: config.async.callbackRetries,
      minTimeout: services.async.callbackRetryDelayMs,
      factor: 2,
      randomize: true,
      shouldRetry: ({ error }) =>
        error instanceof CallbackStatusError ? RETRY_STATUS(error.status) : !isRefusal(error),
      onFailedAttempt: ({ error, attemptNumber, retriesLeft }) =>
        logger.warn('Callback delivery failed', {
          attempt: attemptNumber,
          retries_left: retriesLeft,
          error: error.message,
        }),
    },
  );
}

/** Plain headers as they are; a self-hosted envelope fetched (and cached) like connector credentials. */
async function callbackHeaders(
  services: AgentServices,
  headers: Readonly<Record<string, unknown>> | undefined,
): Promise<Record<string, string>> {
  if (!headers) return {};
  const resolved = await services.resolveCredentials(headers);
  return validate(headerMapSchema, resolved, 'callback_headers');
}

/** The guard refused the destination (metadata, blocked range): no attempt would be different. */
function isRefusal(error: unknown): boolean {
  return error instanceof AgentError && error.errorType === 'Forbidden';
}
