import { randomUUID } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { access, type FileHandle, link, lstat, mkdir, open, rename, rmdir, unlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { OperationError } from '../errors/agent-errors';
import {
  InvalidStorageKeyError,
  ObjectChangedError,
  SignedObjectNotFoundError,
  StorageNotFoundError,
} from '../errors/storage-errors';
import { NoFollowTree, type TreeDirectory } from '../local-files/no-follow-tree';
import { toStorageError, writeError } from './filesystem-errors';
import { pageOf, segmentsOf, walkObjects } from './filesystem-listing';
import { fileVersion, readSidecar, removeSidecar, type Sidecar, writeSidecar } from './filesystem-sidecar';
import { bytesOf, DigestStream, sha256Hex } from './object-digest';
import { DEFAULT_CONTENT_TYPE } from './object-metadata';
import type {
  FullStorageBackend,
  ListOptions,
  ListPage,
  ObjectInfo,
  OpenedObject,
  OpenOptions,
  WriteOptions,
  WrittenObject,
} from './storage-backend';
import { StorageKeys, TEMP_FILE_SUFFIX } from './storage-keys';
import { UrlSigner } from './url-signer';

export interface FilesystemStorageOptions {
  /** MCD_STORAGE_PATH; resolved against the working directory. */
  readonly root: string;
  readonly prefix: string;
  /** MCD_PUBLIC_URL, or http://<listen host>:<port>: where the agent serves its pre-signed URLs. */
  readonly publicUrl: string;
  readonly signingSecret: string | undefined;
  /** false forces the path-based walk where /proc would do (tests cover both; see no-follow-tree.ts). */
  readonly viaProc?: boolean;
}

/**
 * Read chunk size: 1 MiB reads move a large file 2–3× faster than the 64 KiB default (fewer reads and socket writes)
 * while memory per stream stays a few MiB, whatever the object size.
 */
const READ_CHUNK_BYTES = 1024 * 1024;
const READ = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Path of the route that serves FILESYSTEM pre-signed URLs (routes/route-table.ts). */
export const SIGNED_URL_PATH = '/api/v1/storage/signed/';

/**
 * The embedded default (SPEC §7): objects are files under MCD_STORAGE_PATH, so the agent runs with no cloud at all.
 * Writes are atomic (a temp file beside the target, then rename), so a reader never sees half an object, and the
 * agent itself serves pre-signed URLs, HMAC-signed and expiring, from GET /api/v1/storage/signed/{key}.
 *
 * No symbolic link below the root is ever followed, in any component, by any operation (SPEC §3.1): every file is
 * reached through a NoFollowTree walk and named relative to the directory it holds open. A link is not an object:
 * reads, deletes and signed URLs through one answer NotFound, listings skip it, and a write through one is refused.
 */
export class FilesystemStorage implements FullStorageBackend {
  readonly type = 'FILESYSTEM' as const;
  readonly bucketName: string;
  readonly #root: string;
  readonly #tree: NoFollowTree;
  readonly #keys: StorageKeys;
  readonly #signer: UrlSigner;
  readonly #publicUrl: string;

  constructor(options: FilesystemStorageOptions) {
    this.#root = resolve(options.root);
    this.bucketName = this.#root;
    this.#tree = new NoFollowTree(this.#root, options.viaProc === undefined ? {} : { viaProc: options.viaProc });
    this.#keys = new StorageKeys(options.prefix);
    this.#signer = new UrlSigner(options.signingSecret);
    this.#publicUrl = options.publicUrl.replace(/\/+$/, '');
  }

  async write(key: string, data: Buffer | string | Readable, options?: WriteOptions): Promise<WrittenObject> {
    const full = this.#keys.toFull(key);
    if (full.endsWith('/')) {
      throw new OperationError(`Cannot write ${key}: folder markers (keys ending with /) have no file to live in`);
    }
    const { folders, name } = splitName(full);
    const temp = `${name}.${randomUUID()}${TEMP_FILE_SUFFIX}`;
    let dir: TreeDirectory | undefined;
    try {
      dir = await this.#tree.open(folders, { create: true });
      const written = await writeHashed(dir.at(temp), data);
      // The sidecar first, then the bytes (filesystem-sidecar.ts); both within the directory held open, so neither
      // rename can land anywhere else, whatever was swapped meanwhile.
      await writeSidecar(dir, name, sidecarOf(written, options));
      await rename(dir.at(temp), dir.at(name));
      return { sha256: written.sha256, size: written.size };
    } catch (error) {
      if (dir) await unlink(dir.at(temp)).catch(() => undefined);
      throw writeError(error, key);
    } finally {
      await dir?.close();
    }
  }

  /**
   * The object is written to a temp file and then hard-linked to its name: link() fails with EEXIST instead of
   * replacing an existing file, so exactly one of several concurrent writers creates it, and readers see it whole.
   * Its sidecar follows the link (never before: a losing writer must not touch the winner's).
   */
  async writeIfAbsent(key: string, data: Buffer | string, options?: WriteOptions): Promise<boolean> {
    const { folders, name } = splitName(this.#keys.toFull(key));
    const temp = `${name}.${randomUUID()}${TEMP_FILE_SUFFIX}`;
    let dir: TreeDirectory | undefined;
    try {
      dir = await this.#tree.open(folders, { create: true });
      const written = await writeHashed(dir.at(temp), data);
      // Both names inside the directory held open, as in write(): the link cannot land outside the root.
      await link(dir.at(temp), dir.at(name));
      await writeSidecar(dir, name, sidecarOf(written, options));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw writeError(error, key);
    } finally {
      if (dir) await unlink(dir.at(temp)).catch(() => undefined);
      await dir?.close();
    }
  }

  async head(key: string): Promise<ObjectInfo> {
    const opened = await this.open(key);
    opened.body.destroy();
    return opened.info;
  }

  async open(key: string, options: OpenOptions = {}): Promise<OpenedObject> {
    const full = this.#keys.toFull(key);
    const { folders, name } = splitName(full);
    return this.#inFolder(folders, key, async (dir) => {
      const handle = await openObjectFile(dir.at(name));
      try {
        const stats = await handle.stat({ bigint: true });
        const version = fileVersion(stats);
        if (options.version !== undefined && options.version !== version) {
          throw new ObjectChangedError(`${key} was replaced while it was being read`);
        }
        const sidecar = await readSidecar(dir, name, version);
        const info: ObjectInfo = {
          key,
          size: Number(stats.size),
          etag: etagOf(Number(stats.size), Number(stats.mtimeMs)),
          lastModified: new Date(Number(stats.mtimeMs)),
          contentType: sidecar.contentType,
          metadata: sidecar.metadata,
          sha256: sidecar.sha256,
          version,
        };
        return { body: handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES }), info };
      } catch (error) {
        await handle.close();
        throw error;
      }
    });
  }

  async read(key: string): Promise<Readable> {
    return this.#open(this.#keys.toFull(key), key);
  }

  async presignedUrl(key: string, expirationSeconds: number): Promise<string> {
    const name = this.#keys.toFull(key);
    const expires = Math.floor(Date.now() / 1000) + expirationSeconds;
    const query = new URLSearchParams(this.#signer.sign(name, expires));
    const path = name.split('/').map(encodeURIComponent).join('/');
    return `${this.#publicUrl}${SIGNED_URL_PATH}${path}?${query}`;
  }

  /** Serves a pre-signed URL: the full object name from the path, the signature and expiry from the query. */
  async openSigned(name: string, expires: unknown, signature: unknown): Promise<Readable> {
    this.#signer.verify(name, expires, signature);
    try {
      return await this.#open(name, name);
    } catch (error) {
      if (error instanceof StorageNotFoundError) throw new SignedObjectNotFoundError(error.message);
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const { folders, name } = splitName(this.#keys.toFull(key));
    await this.#inFolder(folders, key, async (dir) => {
      // A link, a folder or a device is not an object.
      if (!(await lstat(dir.at(name))).isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
      await unlink(dir.at(name));
      await removeSidecar(dir, name);
    });
    await this.#removeEmptyFolders(folders);
  }

  async list(options: ListOptions = {}): Promise<ListPage> {
    const prefix = this.#keys.toFull(options.prefix, 'prefix');
    // Walk only the deepest directory the prefix names completely: "mcd/a/b" starts in mcd/a/.
    const names = await walkObjects(this.#tree, prefix.slice(0, prefix.lastIndexOf('/') + 1)).catch(
      (error: unknown) => {
        throw toStorageError(error, prefix);
      },
    );
    const { page, pageToken } = pageOf(names, prefix, options);
    const files = page.filter((entry) => entry.file).map((entry) => entry.name);
    const stats = await this.#describe(files);
    return {
      objects: files.map((name, index) => {
        const info = stats[index] as Stats;
        return {
          key: this.#keys.toRelative(name),
          size: info.size,
          etag: etagOf(info.size, info.mtimeMs),
          lastModified: new Date(info.mtimeMs),
          storageClass: 'STANDARD',
        };
      }),
      prefixes: page.filter((entry) => !entry.file).map((entry) => this.#keys.toRelative(entry.name)),
      pageToken,
    };
  }

  /** Objects here are only reachable through the agent and its signed URLs. */
  async isBucketPrivate(): Promise<boolean> {
    await this.checkAccess();
    return true;
  }

  async checkAccess(): Promise<void> {
    try {
      await mkdir(this.#root, { recursive: true });
      await access(this.#root, constants.R_OK | constants.W_OK);
    } catch (error) {
      throw toStorageError(error, this.#root);
    }
  }

  async #open(name: string, shownKey: string): Promise<Readable> {
    const { folders, name: file } = splitName(name);
    return this.#inFolder(folders, shownKey, async (dir) => {
      const handle = await openObjectFile(dir.at(file));
      return handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES });
    });
  }

  /** Runs `act` in the folder held open, mapping every failure to the storage errors. */
  async #inFolder<T>(folders: readonly string[], shownKey: string, act: (dir: TreeDirectory) => Promise<T>) {
    let dir: TreeDirectory | undefined;
    try {
      dir = await this.#tree.open(folders);
      return await act(dir);
    } catch (error) {
      throw toStorageError(error, shownKey);
    } finally {
      await dir?.close();
    }
  }

  /** The stats of a page's objects, one folder opened once for all its objects. */
  async #describe(names: readonly string[]): Promise<Stats[]> {
    const byFolder = new Map<string, string[]>();
    for (const name of names) {
      const folder = name.slice(0, name.lastIndexOf('/') + 1);
      const inFolder = byFolder.get(folder);
      if (inFolder) inFolder.push(name);
      else byFolder.set(folder, [name]);
    }
    const stats = new Map<string, Stats>();
    for (const [folder, inFolder] of byFolder) {
      await this.#inFolder(segmentsOf(folder), folder, async (dir) => {
        for (const name of inFolder) stats.set(name, await lstat(dir.at(name.slice(folder.length))));
      });
    }
    return names.map((name) => stats.get(name) as Stats);
  }

  /** Object stores have no empty folders; neither does this one, so delimiter listings agree across backends. */
  async #removeEmptyFolders(folders: readonly string[]): Promise<void> {
    for (let depth = folders.length; depth > 0; depth--) {
      let parent: TreeDirectory | undefined;
      try {
        parent = await this.#tree.open(folders.slice(0, depth - 1));
        await rmdir(parent.at(folders[depth - 1] as string));
      } catch {
        return; // not empty, already gone, or a link: stop climbing
      } finally {
        await parent?.close();
      }
    }
  }
}

/** An object file opened for reading without following a link or blocking; only a regular file is an object. */
async function openObjectFile(path: string): Promise<FileHandle> {
  const handle = await open(path, READ);
  if (!(await handle.stat()).isFile()) {
    await handle.close();
    throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
  }
  return handle;
}

/** Writes a new temp file, hashing the bytes on their way to disk; its version is read once it is closed. */
async function writeHashed(path: string, data: Buffer | string | Readable): Promise<WrittenFile> {
  const handle = await open(path, CREATE, 0o666);
  let written: WrittenObject;
  if (data instanceof Readable) {
    const hashing = new DigestStream();
    await pipeline(data, hashing, handle.createWriteStream());
    written = { sha256: hashing.digest.sha256, size: hashing.digest.size };
  } else {
    const bytes = bytesOf(data);
    await handle.writeFile(bytes).finally(() => handle.close());
    written = { sha256: sha256Hex(bytes), size: bytes.length };
  }
  // The temp file this call created (O_EXCL | O_NOFOLLOW), in the folder held open.
  return { ...written, version: fileVersion(await lstat(path, { bigint: true })) };
}

interface WrittenFile extends WrittenObject {
  readonly version: string;
}

function sidecarOf(written: WrittenFile, options: WriteOptions | undefined): Sidecar {
  return {
    file: written.version,
    sha256: written.sha256,
    content_type: options?.contentType ?? DEFAULT_CONTENT_TYPE,
    metadata: { ...(options?.metadata ?? {}) },
  };
}

/** Size and modification time, as the listing has always shown them. */
function etagOf(size: number, mtimeMs: number): string {
  return `"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
}

/** The folders and the file name of a full object name; refuses anything that would climb out of the root. */
function splitName(full: string): { folders: string[]; name: string } {
  const segments = segmentsOf(full);
  const name = segments.pop();
  if (name === undefined || segments.includes('..') || name === '..') {
    throw new InvalidStorageKeyError(`Invalid storage key ${JSON.stringify(full)}: escapes the storage root`);
  }
  return { folders: segments, name };
}
