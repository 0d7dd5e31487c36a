/**
 * Errors that know how they are answered: an HTTP status, and optionally the `__mcd_error_type__` and
 * `__mcd_error_attrs__` of their envelope. Adapters never choose status codes; they come from here.
 *
 * Status 200 is deliberate for operation-level failures: the Apollo protocol reports a failed operation (a refused
 * method, a timeout, a closed port) as HTTP 200 with an error envelope, and the control plane relies on it.
 */
export class AgentError extends Error {
  readonly status: number = 500;
  readonly errorType: string | undefined = undefined;
  readonly attrs: Readonly<Record<string, unknown>> | undefined = undefined;
  readonly headers: Readonly<Record<string, string>> = {};

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The request is malformed: bad JSON, a missing or mistyped field, a limit exceeded. */
export class BadRequestError extends AgentError {
  override readonly status = 400;
}

export class PayloadTooLargeError extends AgentError {
  override readonly status = 413;
  constructor(limitBytes: number) {
    super(`Request body exceeds the limit of ${limitBytes} bytes`);
  }
}

export class RouteNotFoundError extends AgentError {
  override readonly status = 404;
  override readonly errorType = 'NotFound';
  constructor(method: string, path: string) {
    super(`No route for ${method} ${path}`);
  }
}

export class MethodNotAllowedError extends AgentError {
  override readonly status = 405;
  override readonly headers: Readonly<Record<string, string>>;
  constructor(method: string, path: string, allowed: readonly string[]) {
    super(`Method ${method} is not allowed for ${path}; allowed: ${allowed.join(', ')}`);
    this.headers = { allow: allowed.join(', ') };
  }
}

/** The interpreter or the network guard refused something the control plane asked for (SPEC §3.1). */
export class ForbiddenError extends AgentError {
  override readonly status = 200;
  override readonly errorType = 'Forbidden';
}

export class OperationTimeoutError extends AgentError {
  override readonly status = 200;
  override readonly errorType = 'Timeout';
  constructor(seconds: number) {
    super(`Operation timed out after ${seconds} seconds`);
  }
}

/** A failure of the operation itself (unknown connection type, a missing variable, a failed command). */
export class OperationError extends AgentError {
  override readonly status = 200;
}

/** A network check that ran and found the destination unreachable. */
export class ConnectionFailedError extends AgentError {
  override readonly status = 200;
}
