import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const SUB_FOLDER = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The files a pipeline writes (CA bundles, client keys, downloaded certificates): under MCD_TEMP_FOLDER, owner-only,
 * each with a fresh name (two clients with the same CA never share a file, so closing one never deletes another's).
 * They belong to the client being created and are deleted when it is closed, or at once if creating it fails.
 */
export class TempFiles {
  readonly #folder: string;
  readonly #paths: string[] = [];

  constructor(tempFolder: string) {
    this.#folder = join(tempFolder, 'artemis-ctp');
  }

  get paths(): readonly string[] {
    return this.#paths;
  }

  /** A new path (not yet written) under the pipeline's folder, registered for deletion. */
  async reserve(options: { suffix?: string; subFolder?: string } = {}): Promise<string> {
    const { subFolder, suffix = '' } = options;
    if (subFolder !== undefined && !SUB_FOLDER.test(subFolder)) {
      throw new Error('sub_folder must be letters, digits, "_" or "-"');
    }
    if (!/^[A-Za-z0-9._-]{0,32}$/.test(suffix)) throw new Error('file_suffix must be letters, digits, ".", "_" or "-"');
    const folder = subFolder ? join(this.#folder, subFolder) : this.#folder;
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const path = join(folder, `${randomUUID()}${suffix}`);
    this.#paths.push(path);
    return path;
  }

  async write(contents: string | Uint8Array, options: { suffix?: string; mode?: number; subFolder?: string } = {}) {
    const path = await this.reserve(options);
    await writeFile(path, contents, { mode: options.mode ?? 0o600, flag: 'wx' });
    return path;
  }

  /** Deletes every file written; idempotent. */
  async deleteAll(): Promise<void> {
    const paths = this.#paths.splice(0);
    await Promise.all(paths.map((path) => rm(path, { force: true })));
  }
}
