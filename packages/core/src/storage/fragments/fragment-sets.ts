import type { Readable } from 'node:stream';
import { newRequestId } from '../../async/request-id';
import type { AgentConfig } from '../../config/config';
import { OperationError } from '../../errors/agent-errors';
import { ChecksumMismatchError, StorageNotFoundError } from '../../errors/storage-errors';
import { agentRegistration, type SoftwareVersion } from '../../health/agent-registration';
import { validateArgument } from '../../http/argument-validation';
import type { FullStorageBackend, StoredObject } from '../storage-backend';
import { streamToBuffer } from '../stream-helpers';
import { readVerified } from '../verified-read';
import { FragmentSetCompleteError, FragmentSizeMismatchError } from './fragment-errors';
import {
  dataKey,
  fragmentIdOf,
  fragmentsPrefix,
  isFragmentsFolder,
  MANIFEST_FILE,
  manifestKey,
  parseFragmentKey,
  recordKey,
  setNameOf,
} from './fragment-layout';
import {
  type FragmentEntry,
  type FragmentManifest,
  type FragmentRecord,
  fragmentRecordSchema,
  MANIFEST_VERSION,
  manifestSchema,
} from './fragment-manifest';

const JSON_TYPE = 'application/json';

export interface FragmentWrite {
  /** The fragment's version as the caller names it (the seed's `version`, e.g. "0.0.0"). */
  readonly version?: string | null | undefined;
  /** The size the caller declares: the fragment is refused (and nothing kept) when the bytes differ. */
  readonly sizeInBytes?: number | undefined;
  readonly customMetadata?: unknown;
  readonly contentType?: string | undefined;
  /** Rows in the fragment (query exports); a function is asked once the bytes are stored (a count made while streaming). */
  readonly rows?: number | (() => number) | undefined;
}

export interface FragmentSetSummary {
  readonly name: string;
  /** When its manifest was written: when the set became complete. */
  readonly created: Date;
}

/**
 * Fragment sets (issue 18): a backup sent as fragments, each streamed to storage with its size, SHA-256 and custom
 * metadata, made complete by a manifest written once, atomically, after every fragment is stored (layout:
 * fragment-layout.ts). A set without a manifest — interrupted, or still being written — is never listed, read or
 * restored as a backup; it can only be completed or deleted.
 */
export class FragmentSets {
  readonly #storage: FullStorageBackend;
  readonly #config: AgentConfig;
  readonly #now: () => number;

  constructor(storage: FullStorageBackend, config: AgentConfig, now: () => number = Date.now) {
    this.#storage = storage;
    this.#config = config;
    this.#now = now;
  }

  /**
   * Streams one fragment to storage, hashing it on the way, then records it. A fragment id written again is
   * replaced: the older writes are removed once the new one is recorded, so the set always holds a whole one.
   */
  async writeFragment(
    setName: string,
    fragmentIdName: string,
    data: Buffer | string | Readable,
    options: FragmentWrite = {},
  ): Promise<FragmentEntry> {
    const set = setNameOf(setName);
    const fragmentId = fragmentIdOf(fragmentIdName);
    await this.#assertOpen(set);
    const writeId = newRequestId(this.#now());
    const key = dataKey(set, fragmentId, writeId);
    const written = await this.#storage.write(key, data, { contentType: options.contentType });
    const record: FragmentRecord = {
      fragment_id: fragmentId,
      version: options.version ?? null,
      size_in_bytes: written.size,
      sha256: written.sha256,
      key,
      custom_metadata: options.customMetadata ?? null,
      ...(options.rows === undefined ? {} : { rows: typeof options.rows === 'number' ? options.rows : options.rows() }),
      written: new Date(this.#now()).toISOString(),
    };
    if (options.sizeInBytes !== undefined && options.sizeInBytes !== written.size) {
      await this.#storage.delete(key).catch(() => undefined);
      throw new FragmentSizeMismatchError(
        `Fragment ${fragmentId} of ${set} is ${written.size} bytes, not the ${options.sizeInBytes} declared: not stored`,
      );
    }
    await this.#storage.write(recordKey(set, fragmentId, writeId), JSON.stringify(record), { contentType: JSON_TYPE });
    if (await this.#isComplete(set)) {
      // Completed while these bytes were on their way: they are not part of the backup, so they are not kept.
      await this.#deleteAll([key, recordKey(set, fragmentId, writeId)]);
      throw new FragmentSetCompleteError(`Fragment set ${set} was completed while fragment ${fragmentId} was written`);
    }
    await this.#deleteOlderWrites(set, fragmentId, writeId);
    const { written: _at, ...entry } = record;
    return entry;
  }

  /**
   * Writes the manifest from the latest write of every fragment, after checking each one's bytes are stored at the
   * size recorded, and only if the set has none yet (`writeIfAbsent`): a complete set is never rewritten.
   */
  async complete(
    setName: string,
    softwareVersion?: SoftwareVersion,
    custom: unknown = null,
  ): Promise<FragmentManifest> {
    const set = setNameOf(setName);
    // Asked first too, for services without conditional writes (s3rver ignores If-None-Match): there, two completions
    // at the same instant could both write; S3, GCS, Azure and FILESYSTEM refuse the second atomically below.
    if (await this.#isComplete(set)) throw alreadyComplete(set);
    const objects = await this.#listAll(fragmentsPrefix(set));
    const latest = latestWrites(set, objects);
    if (latest.size === 0) throw new OperationError(`Fragment set ${set} has no fragments to complete it with`);
    const stored = new Map(objects.map((object) => [object.key, object]));
    const fragments: FragmentEntry[] = [];
    for (const [fragmentId, writeId] of [...latest].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const record = await this.#readRecord(recordKey(set, fragmentId, writeId));
      const object = stored.get(record.key);
      if (object === undefined || object.size !== record.size_in_bytes) {
        throw new ChecksumMismatchError(
          `Fragment ${fragmentId} of ${set} is not stored as recorded (${record.size_in_bytes} bytes at ${record.key})`,
        );
      }
      const { written: _at, ...entry } = record;
      fragments.push(entry);
    }
    const registration = agentRegistration(this.#config);
    const manifest: FragmentManifest = {
      manifest_version: MANIFEST_VERSION,
      name: set,
      agent: {
        agent_id: registration.agent_id,
        scope: registration.scope,
        api_version: registration.api_version,
      },
      software_version: softwareVersion ?? registration.software_version,
      created: new Date(this.#now()).toISOString(),
      custom,
      fragments,
    };
    const created = await this.#storage.writeIfAbsent(manifestKey(set), JSON.stringify(manifest), {
      contentType: JSON_TYPE,
    });
    if (!created) throw alreadyComplete(set);
    // Superseded writes, and bytes of writes that never got their record (an interrupted write), are not the backup.
    const kept = new Set(fragments.flatMap((entry) => [entry.key, recordKeyOf(set, entry.key)]));
    await this.#deleteAll(objects.map((object) => object.key).filter((key) => !kept.has(key)));
    return manifest;
  }

  /** The manifest of a complete set, read verified against the SHA-256 stored with it. */
  async readManifest(setName: string): Promise<FragmentManifest> {
    const set = setNameOf(setName);
    try {
      return validateArgument(
        manifestSchema,
        await this.#readJson(manifestKey(set)),
        `manifest of fragment set ${set}`,
      );
    } catch (error) {
      if (error instanceof StorageNotFoundError) {
        throw new StorageNotFoundError(`Fragment set ${set} does not exist or is not complete (no manifest)`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  /** One fragment of a complete set, verified against the size and SHA-256 its manifest records. */
  async download(setName: string, fragmentIdName: string): Promise<Buffer | Readable> {
    const set = setNameOf(setName);
    const fragmentId = fragmentIdOf(fragmentIdName);
    const manifest = await this.readManifest(set);
    const entry = manifest.fragments.find((fragment) => fragment.fragment_id === fragmentId);
    if (!entry) throw new StorageNotFoundError(`Fragment set ${set} has no fragment ${fragmentId}`);
    return readVerified(this.#storage, entry.key, { sha256: entry.sha256, size: entry.size_in_bytes });
  }

  /**
   * The complete sets under a prefix, by name. The listing goes folder by folder (a delimiter listing per level) and
   * never into a set's fragments, so its cost follows the number of folders, not of fragments.
   */
  async list(prefix = ''): Promise<FragmentSetSummary[]> {
    const sets: FragmentSetSummary[] = [];
    const pending = [prefix];
    for (let level = pending.pop(); level !== undefined; level = pending.pop()) {
      let token: string | undefined;
      do {
        const page = await this.#storage.list({ prefix: level, delimiter: '/', continuationToken: token });
        for (const object of page.objects) {
          const folder = object.key.slice(0, -MANIFEST_FILE.length);
          if (object.key.endsWith(`/${MANIFEST_FILE}`) && folder === level) {
            sets.push({ name: folder.slice(0, -1), created: object.lastModified });
          }
        }
        pending.push(...page.prefixes.filter((folder) => !isFragmentsFolder(folder)));
        token = page.pageToken ?? undefined;
      } while (token);
    }
    return sets.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Deletes a set, complete or not: its manifest first (from then on it is no longer a backup), then every fragment
   * object. Sets nested under its name are left alone. NotFound when there was nothing to delete.
   */
  async delete(setName: string): Promise<{ deleted_objects: number }> {
    const set = setNameOf(setName);
    let deleted = 0;
    try {
      await this.#storage.delete(manifestKey(set));
      deleted++;
    } catch (error) {
      if (!(error instanceof StorageNotFoundError)) throw error;
    }
    const objects = await this.#listAll(fragmentsPrefix(set));
    deleted += await this.#deleteAll(objects.map((object) => object.key));
    if (deleted === 0) throw new StorageNotFoundError(`Fragment set ${set} does not exist`);
    return { deleted_objects: deleted };
  }

  async #assertOpen(set: string): Promise<void> {
    if (await this.#isComplete(set)) {
      throw new FragmentSetCompleteError(`Fragment set ${set} is complete: a backup is not changed once complete`);
    }
  }

  async #isComplete(set: string): Promise<boolean> {
    try {
      await this.#storage.head(manifestKey(set));
      return true;
    } catch (error) {
      if (error instanceof StorageNotFoundError) return false;
      throw error;
    }
  }

  async #readRecord(key: string): Promise<FragmentRecord> {
    return validateArgument(fragmentRecordSchema, await this.#readJson(key), `fragment record ${key}`);
  }

  /** A JSON object of the set (manifest, record), verified against its own recorded SHA-256. */
  async #readJson(key: string): Promise<unknown> {
    const bytes = await readVerified(this.#storage, key);
    const text = (Buffer.isBuffer(bytes) ? bytes : await streamToBuffer(bytes)).toString('utf8');
    try {
      return JSON.parse(text);
    } catch {
      throw new OperationError(`${key} is not valid JSON`);
    }
  }

  async #deleteOlderWrites(set: string, fragmentId: string, writeId: string): Promise<void> {
    const objects = await this.#listAll(`${fragmentsPrefix(set)}${fragmentId}/`);
    const older = objects.filter((object) => {
      const parsed = parseFragmentKey(set, object.key);
      return parsed !== undefined && parsed.writeId < writeId;
    });
    await this.#deleteAll(older.map((object) => object.key));
  }

  async #listAll(prefix: string): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.#storage.list({ prefix, continuationToken: token });
      objects.push(...page.objects);
      token = page.pageToken ?? undefined;
    } while (token);
    return objects;
  }

  /** Deletes what it can; an object already gone is fine. Resolves how many it deleted. */
  async #deleteAll(keys: readonly string[]): Promise<number> {
    let deleted = 0;
    for (const key of keys) {
      try {
        await this.#storage.delete(key);
        deleted++;
      } catch (error) {
        if (!(error instanceof StorageNotFoundError)) throw error;
      }
    }
    return deleted;
  }
}

/** fragment id → the id of its latest write that has a record (a write without one never finished). */
function latestWrites(set: string, objects: readonly StoredObject[]): Map<string, string> {
  const latest = new Map<string, string>();
  for (const object of objects) {
    const parsed = parseFragmentKey(set, object.key);
    if (parsed?.kind !== 'record') continue;
    const current = latest.get(parsed.fragmentId);
    if (current === undefined || parsed.writeId > current) latest.set(parsed.fragmentId, parsed.writeId);
  }
  return latest;
}

function alreadyComplete(set: string): FragmentSetCompleteError {
  return new FragmentSetCompleteError(`Fragment set ${set} is already complete`);
}

function recordKeyOf(set: string, key: string): string {
  const parsed = parseFragmentKey(set, key);
  return parsed ? recordKey(set, parsed.fragmentId, parsed.writeId) : key;
}
