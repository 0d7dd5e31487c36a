import { AgentError, OperationError } from '../errors/agent-errors';
import { InvalidStorageKeyError, StorageNotFoundError, StoragePermissionsError } from '../errors/storage-errors';

/* How the FILESYSTEM backend's fs failures become the storage errors every backend answers with (SPEC §7). */

/** A failed write: a link in the path is refused, a file/folder clash is named, the rest as any operation. */
export function writeError(error: unknown, key: string): Error {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ELOOP') {
    return new InvalidStorageKeyError(
      `Cannot write ${key}: its path goes through a symbolic link, which FILESYSTEM storage never follows`,
      { cause: error },
    );
  }
  if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST') {
    // Object stores hold "a" and "a/b" side by side; a directory tree cannot.
    return new OperationError(`Cannot write ${key}: it collides with an object or folder of the same path`, {
      cause: error,
    });
  }
  return toStorageError(error, key);
}

/** NotFound and Permissions as on every backend; a link the walk refused is "not found" too. */
export function toStorageError(error: unknown, key: string): Error {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'ELOOP') {
    return new StorageNotFoundError(`Object not found: ${key}`, { cause: error });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new StoragePermissionsError(`Permission denied for ${key}`, { cause: error });
  }
  if (error instanceof AgentError) return error;
  return new OperationError(`Storage operation failed for ${key}: ${(error as Error)?.message ?? String(error)}`, {
    cause: error,
  });
}
