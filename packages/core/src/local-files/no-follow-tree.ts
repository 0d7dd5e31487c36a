import { constants } from 'node:fs';
import { type FileHandle, lstat, mkdir, open, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { descriptorPath, insideDescriptor } from './descriptor-path';

/*
 * A directory tree in which no symbolic link below the root is ever followed (FILESYSTEM storage, SPEC §3.1): an
 * openat-style walk. Each directory is opened from its parent's descriptor with O_DIRECTORY | O_NOFOLLOW, so a link
 * in any component is refused (not just in the last one), and every operation names its file relative to the
 * directory it holds open, never by a path that could be re-resolved through a link swapped in meanwhile.
 *
 * On Linux "relative to an open directory" is `/proc/self/fd/N/name` (see descriptor-path.ts): true openat
 * semantics. Where /proc is missing the walk falls back to paths, checking each component with lstat and the opened
 * directory's device and inode against it; a component swapped for a link between that check and the operation is
 * then not caught (the residual race, on development machines only: the images run Linux).
 */

const DIRECTORY = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/** A directory of the tree, held open; names inside it resolve relative to it. */
export interface TreeDirectory {
  /** The directory itself (for readdir). */
  readonly path: string;
  /** `name` inside this very directory. */
  at(name: string): string;
  /** The child directory `name`, opened the same way; ELOOP when it is a symbolic link. */
  child(name: string): Promise<TreeDirectory>;
  close(): Promise<void>;
}

export class NoFollowTree {
  readonly root: string;
  readonly #viaProc: boolean | undefined;
  #realRoot: string | undefined;
  #mode: Promise<boolean> | undefined;

  /** `viaProc: false` forces the path fallback (tests run both). */
  constructor(root: string, options: { viaProc?: boolean } = {}) {
    this.root = root;
    this.#viaProc = options.viaProc;
  }

  /** The directory `segments` below the root, created on the way when `create` is set. */
  async open(segments: readonly string[], options: { create?: boolean } = {}): Promise<TreeDirectory> {
    let dir = await this.#openRoot(options.create === true);
    try {
      for (const segment of segments) {
        if (options.create) {
          await mkdir(dir.at(segment)).catch((error: NodeJS.ErrnoException) => {
            if (error.code !== 'EEXIST') throw error;
          });
        }
        const next = await dir.child(segment);
        await dir.close();
        dir = next;
      }
      return dir;
    } catch (error) {
      await dir.close();
      throw error;
    }
  }

  async #openRoot(create: boolean): Promise<TreeDirectory> {
    try {
      return await this.#openExistingRoot();
    } catch (error) {
      if (!create || (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(this.root, { recursive: true });
      return this.#openExistingRoot();
    }
  }

  async #openExistingRoot(): Promise<TreeDirectory> {
    // The root itself may be (or lie below) a link the operator chose; only what is below it is confined.
    this.#realRoot ??= await realpath(this.root);
    const realRoot = this.#realRoot;
    const handle = await open(realRoot, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      this.#mode ??= this.#viaProc === false ? Promise.resolve(false) : procWorks(handle, realRoot);
      return (await this.#mode) ? procDirectory(handle) : pathDirectory(handle, realRoot);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }
}

/** /proc/self/fd both names the root's descriptor and can be walked through (some sandboxes offer only the first). */
async function procWorks(handle: FileHandle, realRoot: string): Promise<boolean> {
  if ((await descriptorPath(handle.fd)) !== realRoot) return false;
  const [through, opened] = await Promise.all([
    stat(insideDescriptor(handle.fd, '.')).catch(() => undefined),
    handle.stat(),
  ]);
  return through !== undefined && through.dev === opened.dev && through.ino === opened.ino;
}

function procDirectory(handle: FileHandle): TreeDirectory {
  return {
    path: insideDescriptor(handle.fd),
    at: (name) => insideDescriptor(handle.fd, name),
    child: async (name) => procDirectory(await openChild(insideDescriptor(handle.fd, name))),
    close: () => handle.close(),
  };
}

function pathDirectory(handle: FileHandle, path: string): TreeDirectory {
  return {
    path,
    at: (name) => join(path, name),
    child: async (name) => {
      const childPath = join(path, name);
      const child = await openChild(childPath);
      const [opened, named] = await Promise.all([child.stat(), lstat(childPath).catch(() => undefined)]);
      if (!named || named.isSymbolicLink() || named.dev !== opened.dev || named.ino !== opened.ino) {
        await child.close();
        throw Object.assign(new Error(`${childPath} changed while it was opened`), { code: 'ELOOP' });
      }
      return pathDirectory(child, childPath);
    },
    close: () => handle.close(),
  };
}

/** O_DIRECTORY | O_NOFOLLOW says ENOTDIR for a link as for a file; callers need to know which it was. */
async function openChild(path: string): Promise<FileHandle> {
  try {
    return await open(path, DIRECTORY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR' && (await lstat(path).catch(() => undefined))?.isSymbolicLink()) {
      throw Object.assign(new Error(`${path} is a symbolic link`), { code: 'ELOOP' });
    }
    throw error;
  }
}
