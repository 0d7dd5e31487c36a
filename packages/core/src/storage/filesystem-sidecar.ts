import { randomUUID } from 'node:crypto';
import { type BigIntStats, constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import * as z from 'zod/mini';
import type { TreeDirectory } from '../local-files/no-follow-tree';
import { DEFAULT_CONTENT_TYPE } from './object-metadata';
import { SIDECAR_SUFFIX, TEMP_FILE_SUFFIX } from './storage-keys';

/*
 * FILESYSTEM objects are plain files (pre-signed URLs and operators read them as they are), so what the object stores
 * keep with an object — content type, user metadata, the SHA-256 — lives in a sidecar beside it, `<name>.artemis-meta`
 * (a reserved suffix: never a key, never listed). A sidecar names the file it describes (inode and birth time): every
 * write of the agent creates a new file and renames it into place, so a sidecar never lends its metadata to another
 * write's bytes (during an overwrite, or for a file replaced behind the agent's back, the object reads as one with no
 * recorded metadata), while bytes changed *inside* the file it describes — corruption — are caught by `verify=true`.
 *
 * Both files are written to temp names and renamed into place, the sidecar first: once the new bytes are visible
 * under the key, their sidecar already is.
 */

const SIDECAR_MAX_BYTES = 64 * 1024;
const READ = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

const sidecarSchema = z.object({
  file: z.string(),
  sha256: z.string(),
  content_type: z.string(),
  metadata: z.record(z.string(), z.string()),
});

export type Sidecar = z.output<typeof sidecarSchema>;

/** What the sidecar of `name` says about the file version `stats` describes; undefined when it is about another. */
export interface SidecarView {
  readonly sha256: string | null;
  readonly contentType: string;
  readonly metadata: Record<string, string>;
}

/**
 * The identity of a file: a rename keeps it, a replacement changes it, a change of its bytes in place does not (that
 * is what verification is for). Birth time is 0 where the filesystem has none; the inode still tells files apart.
 */
export function fileVersion(stats: BigIntStats): string {
  return `${stats.ino}-${stats.birthtimeNs}`;
}

export function sidecarName(name: string): string {
  return `${name}${SIDECAR_SUFFIX}`;
}

/** Writes the sidecar of `name` in the folder held open, atomically (temp file, then rename). */
export async function writeSidecar(dir: TreeDirectory, name: string, sidecar: Sidecar): Promise<void> {
  const temp = `${name}.${randomUUID()}${TEMP_FILE_SUFFIX}`;
  try {
    const handle = await open(dir.at(temp), CREATE, 0o666);
    await handle.writeFile(JSON.stringify(sidecar)).finally(() => handle.close());
    await rename(dir.at(temp), dir.at(sidecarName(name)));
  } catch (error) {
    await unlink(dir.at(temp)).catch(() => undefined);
    throw error;
  }
}

/** Reads the sidecar of `name` for the file version given; absent, unreadable or about another version → nothing. */
export async function readSidecar(dir: TreeDirectory, name: string, version: string): Promise<SidecarView> {
  const none: SidecarView = { sha256: null, contentType: DEFAULT_CONTENT_TYPE, metadata: {} };
  let text: string;
  try {
    const handle = await open(dir.at(sidecarName(name)), READ);
    try {
      const stats = await handle.stat();
      if (!stats.isFile() || stats.size > SIDECAR_MAX_BYTES) return none;
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return none;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return none;
  }
  const sidecar = sidecarSchema.safeParse(parsed);
  if (!sidecar.success || sidecar.data.file !== version) return none;
  return { sha256: sidecar.data.sha256, contentType: sidecar.data.content_type, metadata: sidecar.data.metadata };
}

export async function removeSidecar(dir: TreeDirectory, name: string): Promise<void> {
  await unlink(dir.at(sidecarName(name))).catch(() => undefined);
}
