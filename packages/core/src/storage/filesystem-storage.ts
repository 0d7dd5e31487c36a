import { randomUUID } from 'node:crypto';
import { createWriteStream, type Dirent } from 'node:fs';
import { access, constants, mkdir, open, readdir, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AgentError, OperationError } from '../errors/agent-errors';
import {
  InvalidStorageKeyError,
  SignedObjectNotFoundError,
  StorageNotFoundError,
  StoragePermissionsError,
} from '../errors/storage-errors';
import { DEFAULT_BATCH_SIZE, type FullStorageBackend, type ListOptions, type ListPage } from './storage-backend';
import { StorageKeys, TEMP_FILE_SUFFIX } from './storage-keys';
import { UrlSigner } from './url-signer';

export interface FilesystemStorageOptions {
  /** MCD_STORAGE_PATH; resolved against the working directory. */
  readonly root: string;
  readonly prefix: string;
  /** MCD_PUBLIC_URL, or http://<listen host>:<port>: where the agent serves its pre-signed URLs. */
  readonly publicUrl: string;
  readonly signingSecret: string | undefined;
}

/**
 * Read chunk size: 1 MiB reads move a large file 2–3× faster than the 64 KiB default (fewer reads and socket writes)
 * while memory per stream stays a few MiB, whatever the object size.
 */
const READ_CHUNK_BYTES = 1024 * 1024;

/** Path of the route that serves FILESYSTEM pre-signed URLs (routes/route-table.ts). */
export const SIGNED_URL_PATH = '/api/v1/storage/signed/';

/**
 * The embedded default (SPEC §7): objects are files under MCD_STORAGE_PATH, so the agent runs with no cloud at all.
 * Writes are atomic (a temp file beside the target, then rename), so a reader never sees half an object, and the
 * agent itself serves pre-signed URLs, HMAC-signed and expiring, from GET /api/v1/storage/signed/{key}.
 */
export class FilesystemStorage implements FullStorageBackend {
  readonly type = 'FILESYSTEM' as const;
  readonly bucketName: string;
  readonly #root: string;
  readonly #keys: StorageKeys;
  readonly #signer: UrlSigner;
  readonly #publicUrl: string;

  constructor(options: FilesystemStorageOptions) {
    this.#root = resolve(options.root);
    this.bucketName = this.#root;
    this.#keys = new StorageKeys(options.prefix);
    this.#signer = new UrlSigner(options.signingSecret);
    this.#publicUrl = options.publicUrl.replace(/\/+$/, '');
  }

  async write(key: string, data: Buffer | string | Readable): Promise<void> {
    const full = this.#keys.toFull(key);
    if (full.endsWith('/')) {
      throw new OperationError(`Cannot write ${key}: folder markers (keys ending with /) have no file to live in`);
    }
    const path = this.#pathOf(full);
    const temp = `${path}.${randomUUID()}${TEMP_FILE_SUFFIX}`;
    try {
      await mkdir(dirname(path), { recursive: true });
      if (data instanceof Readable) await pipeline(data, createWriteStream(temp, { flags: 'wx' }));
      else await writeFile(temp, data, { flag: 'wx' });
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined); // its folder may not even exist
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST') {
        // Object stores hold "a" and "a/b" side by side; a directory tree cannot.
        throw new OperationError(`Cannot write ${key}: it collides with an object or folder of the same path`, {
          cause: error,
        });
      }
      throw toStorageError(error, key);
    }
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
    const path = this.#pathOf(this.#keys.toFull(key));
    try {
      await unlink(path);
    } catch (error) {
      throw toStorageError(error, key);
    }
    await this.#removeEmptyParents(dirname(path));
  }

  async list(options: ListOptions = {}): Promise<ListPage> {
    const prefix = this.#keys.toFull(options.prefix, 'prefix');
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    // Walk only the deepest directory the prefix names completely: "mcd/a/b" starts in mcd/a/.
    const directory = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const files = (await this.#walk(directory)).filter((file) => file.name.startsWith(prefix));
    files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

    // One ordered sequence of entries (objects, and common prefixes when a delimiter groups them), paged like S3.
    type Entry = { name: string; file?: (typeof files)[number] };
    const entries: Entry[] = [];
    for (const file of files) {
      const cut = options.delimiter ? file.name.indexOf(options.delimiter, prefix.length) : -1;
      if (cut < 0) entries.push({ name: file.name, file });
      else {
        const common = file.name.slice(0, cut + (options.delimiter as string).length);
        if (entries.at(-1)?.name !== common) entries.push({ name: common });
      }
    }
    const after = options.continuationToken ? decodeToken(options.continuationToken) : undefined;
    const remaining = after === undefined ? entries : entries.filter((entry) => entry.name > after);
    const page = remaining.slice(0, batchSize);
    const last = page.at(-1);
    return {
      objects: await Promise.all(
        page
          .filter((entry) => entry.file)
          .map(async ({ name }) => {
            const info = await stat(this.#pathOf(name));
            return {
              key: this.#keys.toRelative(name),
              size: info.size,
              etag: `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`,
              lastModified: new Date(info.mtimeMs),
              storageClass: 'STANDARD',
            };
          }),
      ),
      prefixes: page.filter((entry) => !entry.file).map((entry) => this.#keys.toRelative(entry.name)),
      pageToken: remaining.length > page.length && last ? Buffer.from(last.name, 'utf8').toString('base64url') : null,
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
    const path = this.#pathOf(name);
    try {
      const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
      if (!(await handle.stat()).isFile()) {
        await handle.close();
        throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
      }
      return handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES });
    } catch (error) {
      throw toStorageError(error, shownKey);
    }
  }

  /** The file of a full object name; refuses anything that would resolve outside the root. */
  #pathOf(name: string): string {
    const path = resolve(this.#root, name);
    if (path !== this.#root && !path.startsWith(this.#root + sep)) {
      throw new InvalidStorageKeyError(`Invalid storage key ${JSON.stringify(name)}: escapes the storage root`);
    }
    return path;
  }

  /** Every file under a directory (full names, "/"-separated), skipping in-flight temp files; [] when it is absent. */
  async #walk(directory: string): Promise<{ name: string }[]> {
    let entries: Dirent[];
    try {
      entries = await readdir(this.#pathOf(directory), { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
        return [];
      }
      throw toStorageError(error, directory);
    }
    const files: { name: string }[] = [];
    for (const entry of entries) {
      const name = `${directory}${entry.name}`;
      if (entry.isDirectory()) files.push(...(await this.#walk(`${name}/`)));
      else if (entry.isFile() && !entry.name.endsWith(TEMP_FILE_SUFFIX)) files.push({ name });
    }
    return files;
  }

  /** Object stores have no empty folders; neither does this one, so delimiter listings agree across backends. */
  async #removeEmptyParents(directory: string): Promise<void> {
    for (let current = directory; current.startsWith(this.#root + sep); current = dirname(current)) {
      try {
        await rmdir(current);
      } catch {
        return; // not empty (or already gone): stop climbing
      }
    }
  }
}

function decodeToken(token: string): string {
  return Buffer.from(token, 'base64url').toString('utf8');
}

function toStorageError(error: unknown, key: string): Error {
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
