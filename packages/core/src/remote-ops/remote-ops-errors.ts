import { AgentError, OperationError } from '../errors/agent-errors';

/** The upgrade gate refused the image (apollo-inventory §8.1: Apollo's `AgentConfigurationError`). */
export class UpgradeRejectedError extends OperationError {}

/** Remote upgrades are switched off, or the runtime has no updater. */
export class UpgradeUnavailableError extends OperationError {}

/** The runtime's deployment lacks what a remote operation needs (a variable, a permission it cannot have). */
export class RemoteOpsConfigurationError extends OperationError {}

/**
 * A remote operation failed; the message carries Apollo's prefix (`Update failed: …`, `get_update_logs failed: …`)
 * and the platform's own error type when it says one (`Permissions`, `Throttling`, `NotFound`).
 */
export class RemoteOperationFailedError extends AgentError {
  override readonly status = 200;
  override readonly errorType: string | undefined;

  constructor(prefix: string, cause: unknown) {
    super(`${prefix}${messageOf(cause)}`, { cause });
    this.errorType = cause instanceof AgentError ? cause.errorType : platformErrorType(cause);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The three SDK families name their errors differently: AWS by `name` (AccessDeniedException, ThrottlingException),
 * Google by gRPC `code` (7 PERMISSION_DENIED, 8 RESOURCE_EXHAUSTED, 5 NOT_FOUND), Azure by HTTP `statusCode`.
 */
export function platformErrorType(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, code, statusCode, $metadata } = error as {
    name?: unknown;
    code?: unknown;
    statusCode?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const status = typeof statusCode === 'number' ? statusCode : $metadata?.httpStatusCode;
  if ((typeof name === 'string' && /AccessDenied|Unauthorized|Forbidden/i.test(name)) || code === 7 || status === 403)
    return 'Permissions';
  if ((typeof name === 'string' && /Throttl|TooManyRequests|RateExceeded/i.test(name)) || code === 8 || status === 429)
    return 'Throttling';
  if ((typeof name === 'string' && /NotFound/i.test(name)) || code === 5 || status === 404) return 'NotFound';
  return undefined;
}
