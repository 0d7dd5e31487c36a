import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';

/**
 * Reads a certificate file named in credentials (libpq's `sslrootcert`, PyMySQL's `ssl_ca`). Connectors may read
 * the local disk only under MCD_TEMP_FOLDER (SPEC §3.1), so any other path is refused.
 */
export function readUnderTempFolder(path: string, tempFolder: string, what: string): string {
  const full = resolve(tempFolder, path);
  const inside = relative(resolve(tempFolder), full);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw new Error(`${what} must be a file under MCD_TEMP_FOLDER`);
  }
  return readFileSync(full, 'utf8');
}
