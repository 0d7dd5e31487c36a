import * as z from 'zod/mini';
import { identifierName } from '../../config/config';
import { validateArgument } from '../../http/argument-validation';

/*
 * Where a fragment set lives, under its name (a key prefix such as `backups/2030-01-01`):
 *
 *   <set>/manifest.json                             written last, atomically, once: the set is complete
 *   <set>/fragments/<fragment_id>/<write>.data      the bytes of one write of a fragment
 *   <set>/fragments/<fragment_id>/<write>.json      its record, written once its bytes are stored
 *
 * Each write has its own id (a UUIDv7: they sort by time), so a fragment written twice never mixes the bytes of one
 * write with the record of another; the latest write is the fragment, and the manifest names its key. A set name
 * may not contain a `fragments` or `manifest.json` segment, so no set ever lives inside another set's fragments and
 * a listing never needs to look into them.
 */

export const MANIFEST_FILE = 'manifest.json';
const FRAGMENTS_FOLDER = 'fragments';
const DATA_SUFFIX = '.data';
const RECORD_SUFFIX = '.json';

const setNameSchema = z.string().check(
  z.maxLength(512, 'at most 512 characters'),
  z.refine(
    (name) =>
      name.split('/').every(
        (segment) =>
          segment !== '' &&
          segment !== '.' &&
          segment !== '..' &&
          segment !== FRAGMENTS_FOLDER &&
          segment !== MANIFEST_FILE &&
          // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
          !/[\\\u0000-\u001f\u007f]/.test(segment),
      ),
    `"/"-separated names without empty, ".", "..", "${FRAGMENTS_FOLDER}" or "${MANIFEST_FILE}" segments, backslashes or control characters`,
  ),
);

export function setNameOf(value: unknown): string {
  return validateArgument(setNameSchema, value, 'set');
}

export function fragmentIdOf(value: unknown): string {
  return validateArgument(identifierName, value, 'fragment_id');
}

export function manifestKey(set: string): string {
  return `${set}/${MANIFEST_FILE}`;
}

export function fragmentsPrefix(set: string): string {
  return `${set}/${FRAGMENTS_FOLDER}/`;
}

export function fragmentPrefix(set: string, fragmentId: string): string {
  return `${fragmentsPrefix(set)}${fragmentId}/`;
}

export function dataKey(set: string, fragmentId: string, writeId: string): string {
  return `${fragmentPrefix(set, fragmentId)}${writeId}${DATA_SUFFIX}`;
}

export function recordKey(set: string, fragmentId: string, writeId: string): string {
  return `${fragmentPrefix(set, fragmentId)}${writeId}${RECORD_SUFFIX}`;
}

/** One object under `<set>/fragments/`, taken apart; undefined for anything the layout does not name. */
export interface FragmentObject {
  readonly key: string;
  readonly fragmentId: string;
  readonly writeId: string;
  readonly kind: 'data' | 'record';
}

export function parseFragmentKey(set: string, key: string): FragmentObject | undefined {
  const prefix = fragmentsPrefix(set);
  if (!key.startsWith(prefix)) return undefined;
  const [fragmentId, file, ...rest] = key.slice(prefix.length).split('/');
  if (!fragmentId || !file || rest.length > 0) return undefined;
  if (file.endsWith(DATA_SUFFIX)) return { key, fragmentId, writeId: file.slice(0, -DATA_SUFFIX.length), kind: 'data' };
  if (file.endsWith(RECORD_SUFFIX)) {
    return { key, fragmentId, writeId: file.slice(0, -RECORD_SUFFIX.length), kind: 'record' };
  }
  return undefined;
}

/** A listing's folder that is a set's fragment area: nothing under it can be a set. */
export function isFragmentsFolder(prefix: string): boolean {
  return prefix === `${FRAGMENTS_FOLDER}/` || prefix.endsWith(`/${FRAGMENTS_FOLDER}/`);
}
