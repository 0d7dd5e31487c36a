import * as z from 'zod/mini';
import type { AgentConfig } from '../../config/config';
import { OperationError } from '../../errors/agent-errors';
import { validateArgument } from '../../http/argument-validation';
import { withParameters } from '../../interpreter/method-parameters';
import { openUploadFile } from '../local-file';
import { writeOptionsOf } from '../object-metadata';
import type { FullStorageBackend } from '../storage-backend';
import { fragmentIdOf, setNameOf } from './fragment-layout';
import { softwareVersionSchema } from './fragment-manifest';
import { FragmentSets } from './fragment-sets';

/** Custom metadata is kept in the manifest: a fragment's is bounded so a manifest stays a readable document. */
const MAX_CUSTOM_METADATA_BYTES = 64 * 1024;

const sizeSchema = z.number().check(z.int(), z.gte(0), z.lte(Number.MAX_SAFE_INTEGER));
const versionSchema = z.string().check(z.maxLength(128, 'at most 128 characters'));

/**
 * The fragment-set operations of the `storage` connection type (issue 18), by their snake_case names:
 * `write_fragment`, `complete_fragment_set`, `read_fragment_manifest`, `download_fragment`, `list_fragment_sets`,
 * `delete_fragment_set`. Their logic is FragmentSets; here the arguments are checked and the files read.
 */
export function fragmentOperations(storage: FullStorageBackend, config: AgentConfig): Record<string, unknown> {
  const sets = new FragmentSets(storage, config);
  return {
    write_fragment: withParameters(
      [
        'set',
        'fragment_id',
        'obj_to_write',
        'local_file_path',
        'version',
        'size_in_bytes',
        'custom_metadata',
        'custom_metadata_file_path',
        'content_type',
      ],
      async (
        set: unknown,
        fragmentId: unknown,
        data: unknown,
        localFilePath: unknown,
        version: unknown,
        sizeInBytes: unknown,
        customMetadata: unknown,
        customMetadataFilePath: unknown,
        contentType: unknown,
      ) => {
        // Checked before any file is opened (FragmentSets checks them again: it is also used on its own).
        const name = setNameOf(set);
        const id = fragmentIdOf(fragmentId);
        const options = {
          version: optional(versionSchema, version, 'version'),
          sizeInBytes: optional(sizeSchema, sizeInBytes, 'size_in_bytes'),
          customMetadata: await customMetadataOf(customMetadata, customMetadataFilePath, config.tempFolder),
          contentType: writeOptionsOf(undefined, contentType).contentType,
        };
        if ((data === undefined || data === null) === (localFilePath === undefined || localFilePath === null)) {
          throw new OperationError('write_fragment needs exactly one of obj_to_write and local_file_path');
        }
        if (data !== undefined && data !== null) {
          if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
            throw new OperationError('obj_to_write must be a string or bytes');
          }
          return sets.writeFragment(name, id, typeof data === 'string' ? data : Buffer.from(data), options);
        }
        const file = await openUploadFile(localFilePath, config.tempFolder, 'write_fragment');
        try {
          return await sets.writeFragment(name, id, file.createReadStream({ autoClose: false }), options);
        } finally {
          await file.close();
        }
      },
    ),
    complete_fragment_set: withParameters(
      ['set', 'software_version', 'custom'],
      async (set: unknown, softwareVersion: unknown, custom: unknown) =>
        sets.complete(
          setNameOf(set),
          optional(softwareVersionSchema, softwareVersion, 'software_version'),
          custom === undefined ? null : custom,
        ),
    ),
    read_fragment_manifest: withParameters(['set'], async (set: unknown) => sets.readManifest(setNameOf(set))),
    download_fragment: withParameters(['set', 'fragment_id'], async (set: unknown, fragmentId: unknown) =>
      sets.download(setNameOf(set), fragmentIdOf(fragmentId)),
    ),
    list_fragment_sets: withParameters(['prefix'], async (prefix: unknown) => {
      if (prefix !== undefined && prefix !== null && typeof prefix !== 'string') {
        throw new OperationError('prefix must be a string');
      }
      const found = await sets.list(prefix ?? '');
      return { sets: found.map((summary) => ({ name: summary.name, created: summary.created })) };
    }),
    delete_fragment_set: withParameters(['set'], async (set: unknown) => sets.delete(setNameOf(set))),
  };
}

function optional<T extends z.ZodMiniType>(schema: T, value: unknown, name: string): z.output<T> | undefined {
  return value === undefined || value === null ? undefined : validateArgument(schema, value, name);
}

/** `custom_metadata` (any JSON value) or the text of `custom_metadata_file_path` (the seed's custom metadata file). */
async function customMetadataOf(value: unknown, filePath: unknown, tempFolder: string): Promise<unknown> {
  const given = value !== undefined && value !== null;
  const fromFile = filePath !== undefined && filePath !== null;
  if (given && fromFile) throw new OperationError('Give custom_metadata or custom_metadata_file_path, not both');
  let metadata: unknown = value ?? null;
  if (fromFile) {
    const file = await openUploadFile(filePath, tempFolder, 'write_fragment', 'custom_metadata_file_path');
    try {
      const { size } = await file.stat();
      if (size > MAX_CUSTOM_METADATA_BYTES) throw tooLarge(size);
      metadata = (await file.readFile()).toString('utf8');
    } finally {
      await file.close();
    }
  }
  const size = Buffer.byteLength(JSON.stringify(metadata ?? null), 'utf8');
  if (size > MAX_CUSTOM_METADATA_BYTES) throw tooLarge(size);
  return metadata;
}

function tooLarge(size: number): OperationError {
  return new OperationError(`Custom metadata is ${size} bytes; the limit is ${MAX_CUSTOM_METADATA_BYTES}`);
}
