import { BadRequestError } from './agent-errors';

/**
 * Self-hosted credentials could not be read: a missing field, an unreadable store, a secret that is not JSON.
 * HTTP 400 on the execute and validate routes, as in Apollo ("Failed to read self-hosted credentials: …").
 *
 * Messages name the source and the field, never the secret: callers pass descriptions only, never a parser's
 * message (V8's JSON.parse quotes the input it failed on).
 */
export class SelfHostedCredentialsError extends BadRequestError {
  override readonly errorType: string | undefined;

  constructor(
    message: string,
    errorType?: 'NotFound' | 'Permissions' | 'Throttled' | 'Forbidden',
    options?: ErrorOptions,
  ) {
    super(`Failed to read self-hosted credentials: ${message}`, options);
    this.errorType = errorType;
  }
}
