import { SelfHostedCredentialsError } from '../errors/self-hosted-credentials-error';

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

const NOT_FOUND = new Set([
  'ResourceNotFoundException',
  'ParameterNotFound',
  'ParameterVersionNotFound',
  'SecretNotFound',
  'NotFoundException',
  'NotFoundError',
]);
const PERMISSIONS = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'Forbidden',
  'UnrecognizedClientException',
  'InvalidSignatureException',
]);
const THROTTLED = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'TooManyUpdates']);

/**
 * The store's (or KMS's) error, wrapped as "Failed to <what>: <name>: <message>" (`what`: "fetch credentials from AWS
 * Secrets Manager") with `__mcd_error_type__` NotFound / Permissions / Throttled. SDK messages describe the request ("Secrets Manager can't find the specified secret"), never the secret.
 */
export function fetchFailure(what: string, error: unknown): SelfHostedCredentialsError {
  if (error instanceof SelfHostedCredentialsError) return error;
  const { detail, errorType } = describeStoreError(error);
  return new SelfHostedCredentialsError(`Failed to ${what}: ${detail}`, errorType);
}

/**
 * A store's (or KMS's) SDK error as "<name>: <message>" and its kind, for every caller that reports one: the
 * credentials sources above and the start-up configuration source (config-source/read-config-source.ts).
 */
export function describeStoreError(error: unknown): {
  detail: string;
  errorType: 'NotFound' | 'Permissions' | 'Throttled' | undefined;
} {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const name = typeof shape.name === 'string' && shape.name !== 'Error' ? shape.name : undefined;
  const message = typeof shape.message === 'string' ? shape.message : String(error);
  const detail = name && !message.startsWith(name) ? `${name}: ${message}` : message;
  return { detail, errorType: classify(shape, name) };
}

function classify(
  shape: SdkErrorShape,
  name: string | undefined,
): 'NotFound' | 'Permissions' | 'Throttled' | undefined {
  const status = Number(shape.statusCode ?? shape.$metadata?.httpStatusCode);
  const code = typeof shape.code === 'string' ? shape.code : undefined;
  // gRPC status codes (GCP): 5 NOT_FOUND, 7 PERMISSION_DENIED, 16 UNAUTHENTICATED, 8 RESOURCE_EXHAUSTED.
  const grpc = typeof shape.code === 'number' ? shape.code : undefined;
  const names = [name, code];
  if (names.some((n) => n && NOT_FOUND.has(n)) || status === 404 || grpc === 5) return 'NotFound';
  if (names.some((n) => n && PERMISSIONS.has(n)) || status === 401 || status === 403 || grpc === 7 || grpc === 16) {
    return 'Permissions';
  }
  if (names.some((n) => n && THROTTLED.has(n)) || status === 429 || grpc === 8) return 'Throttled';
  return undefined;
}
