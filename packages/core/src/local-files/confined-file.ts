import { constants, type Stats } from 'node:fs';
import { type FileHandle, lstat, open, realpath } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { AgentError } from '../errors/agent-errors';
import { descriptorPath } from './descriptor-path';

/*
 * The one rule for reading a local file the control plane names (SPEC §3.1): `upload_file` and connectors' certificate
 * files under MCD_TEMP_FOLDER, the `file` credentials source under MCD_CREDENTIALS_FILE_DIRS. Symbolic links are
 * allowed as long as everything stays inside (mounted Kubernetes secrets are links into a `..data` directory).
 */

export type ConfinementFailure = 'invalid' | 'outside' | 'missing' | 'not-a-file' | 'unreadable';

export interface ConfinedFileOptions {
  /** The directories the file must lie under; a relative path is taken from the first. */
  readonly roots: readonly string[];
  /** What names the file, for messages: "sslrootcert", "local_file_path". */
  readonly subject: string;
  /** What names the roots, for messages: "MCD_TEMP_FOLDER". */
  readonly setting: string;
}

/** A refused or failed confined read. Callers with their own wording map `reason`; the default message is usable. */
export class ConfinedFileError extends AgentError {
  override readonly status = 200;
  override readonly errorType: string | undefined;

  constructor(
    readonly reason: ConfinementFailure,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.errorType =
      reason === 'missing'
        ? 'NotFound'
        : reason === 'unreadable'
          ? code === 'EACCES' || code === 'EPERM'
            ? 'Permissions'
            : undefined
          : 'Forbidden';
  }
}

/**
 * Opens a regular file for reading only if it lies under one of `roots`: first as written (refused before the disk is
 * touched, so a path outside reveals nothing about what exists there), then with every symbolic link resolved, then
 * opened without following a final link and non-blocking (a FIFO cannot stall the agent), and finally where the
 * kernel says the open descriptor really is. That last check makes the read race-free on Linux: a directory swapped
 * for a link between the checks and the open is caught before a byte is read. Elsewhere the descriptor's device and
 * inode are compared with the resolved path's.
 */
export async function openConfinedFile(path: unknown, options: ConfinedFileOptions): Promise<FileHandle> {
  const fail = (reason: ConfinementFailure, code?: string) => failure(reason, path, options, code);
  const failFs = (error: unknown) => fail(...fsFailure(error));
  if (typeof path !== 'string' || path === '' || path.includes('\0')) throw fail('invalid');
  const roots = options.roots.map((root) => resolve(root));
  const [first] = roots;
  if (first === undefined) throw fail('outside');
  const lexical = resolve(first, path);
  const realRoots = await Promise.all(roots.map((root) => realpath(root).catch(() => root)));
  if (!isInsideAny(lexical, roots) && !isInsideAny(lexical, realRoots)) throw fail('outside');

  let real: string;
  try {
    real = await realpath(lexical);
  } catch (error) {
    throw failFs(error);
  }
  if (!isInsideAny(real, realRoots)) throw fail('outside');

  let handle: FileHandle;
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    throw failFs(error);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw fail('not-a-file');
    const opened = (await descriptorPath(handle.fd)) ?? (await stillAt(real, lexical, info));
    if (opened === undefined || !isInsideAny(opened, realRoots)) throw fail('outside');
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** The whole file as UTF-8, under the same rules (certificates, credential documents). */
export async function readConfinedFile(path: unknown, options: ConfinedFileOptions): Promise<string> {
  const handle = await openConfinedFile(path, options);
  try {
    return await handle.readFile('utf8');
  } catch (error) {
    const [reason, code] = fsFailure(error);
    throw failure(reason, path, options, code);
  } finally {
    await handle.close();
  }
}

/** Without /proc: the opened file is the one the resolved path still names, and the path still resolves there. */
async function stillAt(real: string, lexical: string, opened: Stats): Promise<string | undefined> {
  const [now, again] = await Promise.all([lstat(real).catch(() => undefined), realpath(lexical).catch(() => '')]);
  return now && now.dev === opened.dev && now.ino === opened.ino && again === real ? real : undefined;
}

function fsFailure(error: unknown): [ConfinementFailure, string | undefined] {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  // ELOOP: the final component became a link between realpath and open.
  const missing = code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP';
  return [missing ? 'missing' : 'unreadable', code];
}

function failure(
  reason: ConfinementFailure,
  path: unknown,
  options: ConfinedFileOptions,
  code?: string,
): ConfinedFileError {
  return new ConfinedFileError(reason, messageFor(reason, String(path), options, code), code);
}

function messageFor(reason: ConfinementFailure, path: string, options: ConfinedFileOptions, code?: string): string {
  const { subject, setting } = options;
  switch (reason) {
    case 'invalid':
      return `${subject} must be a non-empty path`;
    case 'outside':
      return `${subject} must be a file under ${setting}: ${path}`;
    case 'missing':
      return `${subject} not found: ${path}`;
    case 'not-a-file':
      return `${subject} must be a regular file: ${path}`;
    case 'unreadable':
      return `${subject} is not readable: ${path} (${code ?? 'unknown error'})`;
  }
}

function isInsideAny(path: string, roots: readonly string[]): boolean {
  return roots.some((root) => path.startsWith(root.endsWith(sep) ? root : root + sep));
}
