import { readlink } from 'node:fs/promises';

/*
 * Node has no openat(2). On Linux the kernel names every open descriptor in /proc/self/fd, which gives both halves
 * of it: readlink(/proc/self/fd/N) is where descriptor N really is (not where the path said it would be), and a path
 * `/proc/self/fd/N/name` resolves `name` inside that very directory, whatever has been renamed or swapped for a link
 * since it was opened.
 */

const PROC_FD = '/proc/self/fd';

/** `name` inside the directory open as descriptor `fd`: the openat(fd, name) of a path-based API. */
export function insideDescriptor(fd: number, name?: string): string {
  return name === undefined ? `${PROC_FD}/${fd}` : `${PROC_FD}/${fd}/${name}`;
}

/** Where the kernel says descriptor `fd` lives; undefined where /proc/self/fd is not available (macOS, Windows). */
export async function descriptorPath(fd: number): Promise<string | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    return await readlink(insideDescriptor(fd));
  } catch {
    return undefined;
  }
}
