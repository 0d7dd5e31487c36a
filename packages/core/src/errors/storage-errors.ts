import { AgentError, ForbiddenError } from './agent-errors';

/*
 * The error types every backend maps its SDK's failures onto (SPEC §7), so the control plane sees the same
 * `__mcd_error_type__` whichever cloud the bucket lives in. Operation-level failures: HTTP 200 envelopes.
 */

/** The object (or bucket) does not exist. */
export class StorageNotFoundError extends AgentError {
  override readonly status = 200;
  override readonly errorType = 'NotFound';
}

/** The agent's identity may not do this to the bucket. */
export class StoragePermissionsError extends AgentError {
  override readonly status = 200;
  override readonly errorType = 'Permissions';
}

/** A key that could escape the bucket prefix or the storage root, or that no backend can store. */
export class InvalidStorageKeyError extends ForbiddenError {}

/** A local path outside MCD_TEMP_FOLDER (upload_file). */
export class LocalPathForbiddenError extends ForbiddenError {}

/** The storage settings do not allow creating the backend (a missing bucket, an unknown type…). */
export class StorageConfigurationError extends AgentError {
  override readonly status = 200;
}

/** A FILESYSTEM pre-signed URL that is expired, tampered with or malformed: answered like S3 does, 403. */
export class SignedUrlError extends AgentError {
  override readonly status = 403;
  override readonly errorType = 'Forbidden';
}

/** A FILESYSTEM pre-signed URL for an object that is gone: 404. */
export class SignedObjectNotFoundError extends AgentError {
  override readonly status = 404;
  override readonly errorType = 'NotFound';
}

/** Maps an HTTP status from a cloud SDK onto the storage error types; undefined for anything else. */
export function storageErrorForStatus(status: unknown, message: string, cause: unknown): AgentError | undefined {
  if (status === 404) return new StorageNotFoundError(message, { cause });
  if (status === 401 || status === 403) return new StoragePermissionsError(message, { cause });
  return undefined;
}

/** A verified read found bytes other than those whose SHA-256 (or size) was recorded when they were written. */
export class ChecksumMismatchError extends AgentError {
  override readonly status = 200;
  override readonly errorType = 'ChecksumMismatch';
}

/** `verify=true` on an object that carries no recorded SHA-256 (written by something else than the agent). */
export class ChecksumUnavailableError extends AgentError {
  override readonly status = 200;
  override readonly errorType = 'ChecksumUnavailable';
}

/** The key was overwritten while a verified read was reading it: reading again gives the new object. */
export class ObjectChangedError extends AgentError {
  override readonly status = 200;
  override readonly errorType = 'ObjectChanged';
}
