import { constants } from 'node:fs';
import { type FileHandle, open, realpath } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { LocalPathForbiddenError, StorageNotFoundError } from '../errors/storage-errors';

/**
 * Opens a file for `upload_file`, which may only read under MCD_TEMP_FOLDER (SPEC §3.1): the path (relative ones
 * are taken from the temp folder) must lie under it both as written and once every symlink is resolved, and the
 * file itself is opened without following a symlink, so a link swapped in afterwards cannot lead elsewhere.
 */
export async function openConfinedFile(path: unknown, tempFolder: string): Promise<FileHandle> {
  if (typeof path !== 'string' || path === '' || path.includes('\0')) {
    throw new LocalPathForbiddenError('local_file_path must be a non-empty path');
  }
  const folder = resolve(tempFolder);
  const realFolder = await realpath(folder);
  const lexical = resolve(folder, path);
  const refuse = () =>
    new LocalPathForbiddenError(`upload_file may only read files under MCD_TEMP_FOLDER (${folder}): ${path}`);
  if (!isInside(lexical, folder) && !isInside(lexical, realFolder)) throw refuse();
  let real: string;
  try {
    real = await realpath(lexical);
  } catch {
    throw new StorageNotFoundError(`Local file not found: ${path}`);
  }
  if (!isInside(real, realFolder)) throw refuse();
  let handle: FileHandle;
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    throw new StorageNotFoundError(`Local file not readable: ${path}`);
  }
  if (!(await handle.stat()).isFile()) {
    await handle.close();
    throw new LocalPathForbiddenError(`upload_file reads regular files only: ${path}`);
  }
  return handle;
}

function isInside(path: string, folder: string): boolean {
  return path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}
