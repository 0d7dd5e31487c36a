import { readdir } from 'node:fs/promises';
import type { NoFollowTree, TreeDirectory } from '../local-files/no-follow-tree';
import { DEFAULT_BATCH_SIZE, type ListOptions } from './storage-backend';
import { isReservedName } from './storage-keys';

/** One entry of a FILESYSTEM listing page: an object (`file`) or a common prefix. */
export interface ListingEntry {
  readonly name: string;
  readonly file: boolean;
}

/**
 * Every object name under `directory` (a full name ending with "/", or ""), walked without following a symbolic
 * link: links are neither objects nor folders here. In-flight temp files and metadata sidecars are skipped; [] when
 * the folder is absent.
 */
export async function walkObjects(tree: NoFollowTree, directory: string): Promise<string[]> {
  let dir: TreeDirectory;
  try {
    dir = await tree.open(segmentsOf(directory));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return [];
    throw error;
  }
  try {
    return await walkIn(dir, directory);
  } finally {
    await dir.close();
  }
}

async function walkIn(dir: TreeDirectory, prefix: string): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(dir.path, { withFileTypes: true })) {
    const name = `${prefix}${entry.name}`;
    if (entry.isFile() && !isReservedName(entry.name)) names.push(name);
    if (!entry.isDirectory()) continue;
    // Swapped for a link since readdir saw it: skipped, as a link would have been.
    const child = await dir.child(entry.name).catch(() => undefined);
    if (!child) continue;
    try {
      names.push(...(await walkIn(child, `${name}/`)));
    } finally {
      await child.close();
    }
  }
  return names;
}

/** One page of sorted entries (objects, and common prefixes when a delimiter groups them), paged like S3. */
export function pageOf(
  names: readonly string[],
  prefix: string,
  options: ListOptions,
): { page: ListingEntry[]; pageToken: string | null } {
  const sorted = names.filter((name) => name.startsWith(prefix)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const entries: ListingEntry[] = [];
  for (const name of sorted) {
    const cut = options.delimiter ? name.indexOf(options.delimiter, prefix.length) : -1;
    if (cut < 0) entries.push({ name, file: true });
    else {
      const common = name.slice(0, cut + (options.delimiter as string).length);
      if (entries.at(-1)?.name !== common) entries.push({ name: common, file: false });
    }
  }
  const after = options.continuationToken
    ? Buffer.from(options.continuationToken, 'base64url').toString('utf8')
    : undefined;
  const remaining = after === undefined ? entries : entries.filter((entry) => entry.name > after);
  const page = remaining.slice(0, options.batchSize ?? DEFAULT_BATCH_SIZE);
  const last = page.at(-1);
  const pageToken =
    remaining.length > page.length && last ? Buffer.from(last.name, 'utf8').toString('base64url') : null;
  return { page, pageToken };
}

/** The names along a "/"-separated path ("mcd/a/" → mcd, a); empty and "." segments name nothing, as in a path. */
export function segmentsOf(directory: string): string[] {
  return directory.split('/').filter((segment) => segment !== '' && segment !== '.');
}
