import { type ConnectorContext, ForbiddenError, guardedRequest, OperationError } from '@artemis/core';

/** Non-2xx bodies are diagnostic text: capped, as in Apollo. */
const ERROR_TEXT_LIMIT = 10_000;
/** A 2xx body (a Cortex answer streamed as text, say) is not capped by Apollo; this bounds memory. */
const MAX_RESPONSE_BYTES = 100 * 1024 * 1024;

/**
 * Apollo's `execute_rest_request(method, path, body, timeout)`: one request to the connection's own Snowflake
 * account with the live session token (`Authorization: Snowflake Token="…"`). `path` must be a plain relative path
 * (one leading `/`, no scheme or host, no CR/LF), so the token never goes anywhere else; the token is scrubbed from
 * whatever comes back. Answers `{status_code, response}` on 2xx (JSON, or the text when it is not JSON), else
 * `{status_code, error}` with the text cut at 10 000 characters.
 */
export async function executeRestRequest(
  context: ConnectorContext,
  accessUrl: string,
  token: string | undefined,
  request: { method: unknown; path: unknown; body?: unknown; timeout?: unknown },
): Promise<{ status_code: number; response?: unknown; error?: string }> {
  const path = request.path;
  if (
    typeof path !== 'string' ||
    !path.startsWith('/') ||
    path.startsWith('//') ||
    /[\r\n\\]/.test(path) ||
    /^\/[^/]*:/.test(path)
  ) {
    throw new ForbiddenError(
      `path must be a relative path beginning with '/' (no scheme or host, no CR/LF), got: ${JSON.stringify(path)}`,
    );
  }
  if (typeof request.method !== 'string' || !/^[A-Za-z]+$/.test(request.method)) {
    throw new OperationError('execute_rest_request: method must be an HTTP method name');
  }
  if (!token) {
    throw new OperationError(
      'execute_rest_request: no active Snowflake session token; the connection may use an auth mode without a session token',
    );
  }
  const url = new URL(path, accessUrl);
  if (url.origin !== new URL(accessUrl).origin)
    throw new ForbiddenError('execute_rest_request: path must stay on the account host');
  const timeoutSeconds = typeof request.timeout === 'number' && request.timeout > 0 ? request.timeout : undefined;
  const hasBody = request.body !== undefined && request.body !== null;
  const response = await guardedRequest(context.network, url.href, {
    method: request.method.toUpperCase(),
    headers: {
      authorization: `Snowflake Token="${token}"`,
      accept: 'application/json',
      ...(hasBody ? { 'content-type': 'application/json' } : {}),
    },
    ...(hasBody ? { body: JSON.stringify(request.body) } : {}),
    timeoutMs: (timeoutSeconds ?? context.config.operationTimeoutSeconds) * 1000,
    maxBodyBytes: MAX_RESPONSE_BYTES,
  });
  const text = response.body.toString('utf8').replaceAll(token, '***');
  if (Math.floor(response.status / 100) !== 2)
    return { status_code: response.status, error: text.slice(0, ERROR_TEXT_LIMIT) };
  try {
    return { status_code: response.status, response: JSON.parse(text) };
  } catch {
    return { status_code: response.status, response: text };
  }
}
