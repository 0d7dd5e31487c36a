import { OperationError } from '@artemis/core';
import { reasonPhrase } from './boto-result';

interface ServiceException {
  readonly name: string;
  readonly message: string;
  readonly $fault?: 'client' | 'server';
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly Code?: string;
}

/**
 * botocore's ClientError, with its message: "An error occurred (NoSuchKey) when calling the GetObject operation:
 * The specified key does not exist." The control plane matches on that text, as it did with Apollo (which gave AWS
 * errors no error type or attributes either).
 */
export class ClientError extends OperationError {}

/** A service's answer becomes a ClientError; anything else (network, credentials) is reported as it is. */
export function toBotoError(error: unknown, operation: string): unknown {
  const exception = error as ServiceException | null;
  if (!(error instanceof Error) || !exception?.$fault || !exception.$metadata) return error;
  const status = exception.$metadata.httpStatusCode;
  // Errors without a body (HEAD requests) come back as "UnknownError"; botocore names them by status code.
  const bodiless = exception.message === 'UnknownError' || !exception.message;
  const code = bodiless ? String(status ?? exception.name) : (exception.Code ?? exception.name);
  const message = bodiless ? reasonPhrase(status) : exception.message;
  return new ClientError(`An error occurred (${code}) when calling the ${operation} operation: ${message}`, {
    cause: error,
  });
}
