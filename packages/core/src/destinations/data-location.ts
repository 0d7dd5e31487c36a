import type { StorageType } from '../config/config';
import { BadRequestError } from '../errors/agent-errors';
import { StorageKeys } from '../storage/storage-keys';

/*
 * Where a delivery reads its NDJSON (`data_url`): an http(s) URL (an S3 pre-signed URL, usually) fetched through the
 * SSRF guard, or an object of the agent's own storage, read with the agent's identity:
 *   - `s3://<bucket>/<key>` (S3, S3_COMPATIBLE) and `gs://<bucket>/<key>` (GCS): the agent's bucket, the full object
 *     name, which must lie under MCD_STORAGE_PREFIX;
 *   - anything without a scheme: a key relative to MCD_STORAGE_PREFIX, as the `storage` connection type takes it.
 * Other buckets are refused: the agent reads only what its own storage settings say is its own.
 */

export type DataLocation =
  | { readonly kind: 'http'; readonly url: string }
  | { readonly kind: 'storage'; readonly key: string };

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const BUCKET_SCHEMES: Readonly<Record<string, readonly StorageType[]>> = {
  s3: ['S3', 'S3_COMPATIBLE'],
  gs: ['GCS'],
};

export interface AgentStorage {
  readonly type: StorageType;
  readonly bucketName: string | undefined;
  readonly prefix: string;
}

/** The location `data_url` names; a 400 that says why when it names none the agent may read. */
export function dataLocationOf(dataUrl: string, storage: AgentStorage): DataLocation {
  const scheme = SCHEME.exec(dataUrl)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'storage', key: checkedKey(dataUrl, storage) };
  if (scheme === 'http' || scheme === 'https') {
    if (!URL.canParse(dataUrl)) throw new BadRequestError('Invalid request: data_url: expected an absolute URL');
    return { kind: 'http', url: dataUrl };
  }
  const types = BUCKET_SCHEMES[scheme];
  if (!types) {
    throw new BadRequestError(
      `Invalid request: data_url: unsupported scheme ${scheme} (expected http, https, s3, gs or a storage key)`,
    );
  }
  if (!types.includes(storage.type)) {
    throw new BadRequestError(
      `Invalid request: data_url: ${scheme}:// needs the agent's storage to be ${types.join(' or ')}`,
    );
  }
  const match = /^[^:]+:\/\/([^/]+)\/(.+)$/.exec(dataUrl);
  if (!match || match[1] !== storage.bucketName) {
    throw new BadRequestError(
      `Invalid request: data_url: only the agent's bucket ${storage.bucketName ?? ''} can be read`,
    );
  }
  const name = decodedName(match[2] as string);
  const prefix = storage.prefix ? `${storage.prefix}/` : '';
  if (!name.startsWith(prefix)) {
    throw new BadRequestError(`Invalid request: data_url: the object must be under the agent's prefix ${prefix}`);
  }
  return { kind: 'storage', key: checkedKey(name.slice(prefix.length), storage) };
}

function decodedName(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new BadRequestError('Invalid request: data_url: the object name is not valid percent-encoding');
  }
}

function checkedKey(key: string, storage: AgentStorage): string {
  try {
    new StorageKeys(storage.prefix).toFull(key);
  } catch (error) {
    throw new BadRequestError(`Invalid request: data_url: ${(error as Error).message}`);
  }
  return key;
}
