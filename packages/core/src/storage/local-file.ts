import type { FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { LocalPathForbiddenError, StorageNotFoundError } from '../errors/storage-errors';
import { ConfinedFileError, openConfinedFile } from '../local-files/confined-file';

/**
 * Opens a file a storage operation reads (`upload_file`, `write_fragment`): only under MCD_TEMP_FOLDER (SPEC §3.1), by
 * the agent's one confinement rule (local-files/confined-file.ts), answered in the storage connection type's words
 * and error types. `subject` is the argument that names the file.
 */
export async function openUploadFile(
  path: unknown,
  tempFolder: string,
  operation = 'upload_file',
  subject = 'local_file_path',
): Promise<FileHandle> {
  try {
    return await openConfinedFile(path, {
      roots: [tempFolder],
      subject,
      setting: 'MCD_TEMP_FOLDER',
    });
  } catch (error) {
    if (!(error instanceof ConfinedFileError)) throw error;
    switch (error.reason) {
      case 'invalid':
        throw new LocalPathForbiddenError(`${subject} must be a non-empty path`);
      case 'outside':
        throw new LocalPathForbiddenError(
          `${operation} may only read files under MCD_TEMP_FOLDER (${resolve(tempFolder)}): ${String(path)}`,
        );
      case 'not-a-file':
        throw new LocalPathForbiddenError(`${operation} reads regular files only: ${String(path)}`);
      case 'missing':
        throw new StorageNotFoundError(`Local file not found: ${String(path)}`, { cause: error });
      case 'unreadable':
        throw new StorageNotFoundError(`Local file not readable: ${String(path)}`, { cause: error });
    }
  }
}
