import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { operation, startTestAgent, type TestAgent } from '../support/test-agent';
import { allStorageFixtures, type RunningStorage } from './support/storage-fixtures';

/*
 * The integrity contract (issue 18): object metadata and content type, the SHA-256 computed while streaming and kept
 * with the object, verified reads of objects corrupted behind the agent's back, and fragment sets (complete,
 * interrupted, corrupted, deleted), over real HTTP through the local server, on every backend alike: S3 and
 * S3_COMPATIBLE on s3rver, AZURE_BLOB on azurite, GCS on the fake JSON API, FILESYSTEM on a temp dir.
 */

const EXECUTE = '/api/v1/agent/execute/storage/op';
/** Over 8 MiB: a streamed multipart / block / resumable upload, sealed after, and a verified read in two passes. */
const LARGE = 9 * 1024 * 1024 + 123;

const call = (method: string, kwargs: Record<string, unknown> = {}) => ({ method, kwargs });
const bytes = (data: Buffer) => ({ __type__: 'bytes', __data__: data.toString('base64') });
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

describe.each(allStorageFixtures)('storage integrity on $type', (fixture) => {
  let storage: RunningStorage;
  let agent: TestAgent;

  async function execute(...commands: unknown[]) {
    const response = await agent.post(EXECUTE, operation(commands));
    return (await response.json()) as Record<string, unknown>;
  }
  async function result(...commands: unknown[]) {
    const body = await execute(...commands);
    if (!('__mcd_result__' in body)) throw new Error(`Operation failed: ${JSON.stringify(body)}`);
    return body.__mcd_result__;
  }
  async function raw(...commands: unknown[]) {
    const response = await agent.post(EXECUTE, operation(commands));
    return { response, data: Buffer.from(await response.arrayBuffer()) };
  }
  async function localFile(name: string, data: Buffer) {
    const path = join(storage.scratch, name);
    await writeFile(path, data);
    return path;
  }
  const errorEnvelope = (exception: string, message: string, type: string) => ({
    __mcd_error__: message,
    __mcd_exception__: `${exception}: ${message}`,
    __mcd_stack_trace__: expect.any(Array),
    __mcd_error_type__: type,
    __mcd_trace_id__: 'trace-1',
  });

  beforeAll(async () => {
    storage = await fixture.start();
    agent = await startTestAgent({
      ...storage.env,
      MCD_TEMP_FOLDER: storage.scratch,
      MCD_AGENT_ID: 'billing-db-0',
      MCD_AGENT_SCOPE: 'alpha',
      MCD_AGENT_VERSION: '2.4.0',
      MCD_AGENT_BUILD: '117',
      MCD_AGENT_PRODUCTION_DATE: '2030-01-02',
    });
  }, 60_000);

  afterAll(async () => {
    await agent?.close();
    await storage?.stop();
  });

  describe('object metadata and checksums', () => {
    it('keeps content type and metadata with the object and reports its SHA-256', async () => {
      // Prepare
      const text = '{"rows": 3}';

      // Act
      await result(
        call('write', {
          key: 'meta/doc.json',
          obj_to_write: text,
          metadata: { owner: 'billing', schema_version: '7' },
          content_type: 'application/json',
        }),
      );
      const metadata = await result(call('get_metadata', { key: 'meta/doc.json' }));

      // Assess
      expect(metadata).toEqual({
        key: 'meta/doc.json',
        size: text.length,
        etag: expect.any(String),
        last_modified: { __type__: 'datetime', __data__: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*\+00:00$/) },
        content_type: 'application/json',
        metadata: { owner: 'billing', schema_version: '7' },
        sha256: sha256(text),
      });
    });

    it('records the default content type, no metadata and the SHA-256 of a plain write', async () => {
      // Prepare
      const data = randomBytes(1000);

      // Act
      await result(call('write', { key: 'meta/plain.bin', obj_to_write: bytes(data) }));
      const metadata = (await result(call('get_metadata', { key: 'meta/plain.bin' }))) as Record<string, unknown>;

      // Assess
      expect([metadata.content_type, metadata.metadata, metadata.sha256, metadata.size]).toEqual([
        'application/octet-stream',
        {},
        sha256(data),
        1000,
      ]);
    });

    it('streams a large upload_file up with its metadata and records the SHA-256 of every byte', async () => {
      // Prepare
      const data = randomBytes(LARGE);
      const path = await localFile('large.bin', data);

      // Act
      await result(
        call('upload_file', {
          key: 'meta/large.bin',
          local_file_path: path,
          metadata: { source: 'nightly' },
          content_type: 'application/x-ndjson',
        }),
      );
      const metadata = (await result(call('get_metadata', { key: 'meta/large.bin' }))) as Record<string, unknown>;
      const verified = await raw(call('download_file', { key: 'meta/large.bin', verify: true }));

      // Assess
      expect([metadata.size, metadata.content_type, metadata.metadata, metadata.sha256]).toEqual([
        LARGE,
        'application/x-ndjson',
        { source: 'nightly' },
        sha256(data),
      ]);
      expect(verified.response.status).toBe(200);
      expect(sha256(verified.data)).toBe(sha256(data));
    });

    it('answers get_metadata of a missing key with NotFound', async () => {
      // Act
      const body = await execute(call('get_metadata', { key: 'meta/missing' }));

      // Assess
      expect(body).toMatchObject({ __mcd_error_type__: 'NotFound', __mcd_trace_id__: 'trace-1' });
      expect(body.__mcd_error__).toContain('meta/missing');
    });

    it.each([
      ['small, verified in memory', 4096],
      ['large, verified in two passes', LARGE],
    ])('refuses a %s object corrupted behind the agent’s back with ChecksumMismatch', async (_label, size) => {
      // Prepare
      const data = randomBytes(size);
      const key = `corrupt/object-${size}.bin`;
      await result(call('upload_file', { key, local_file_path: await localFile(`c-${size}.bin`, data) }));
      await storage.corrupt(`mcd/${key}`);
      const flipped = Buffer.from(data);
      flipped[0] = (flipped[0] as number) ^ 0xff;

      // Act
      const answers = await Promise.all(
        [
          call('read', { key, verify: true }),
          call('read', { key, verify: true, encoding: 'latin-1' }),
          call('download_file', { key, verify: true }),
          call('managed_download', { key, verify: true }),
        ].map((command) => execute(command)),
      );
      const unverified = await raw(call('read', { key }));

      // Assess
      const message = `Checksum mismatch for ${key}: expected SHA-256 ${sha256(data)}, read ${sha256(flipped)}`;
      for (const body of answers)
        expect(body).toEqual(errorEnvelope('ChecksumMismatchError', message, 'ChecksumMismatch'));
      // Without verify=true the bytes are served as stored: verification is asked for, never imposed.
      expect(sha256(unverified.data)).toBe(sha256(flipped));
    });

    it('answers an intact verified read with the exact bytes, decompressed or decoded as asked', async () => {
      // Prepare
      await result(call('write', { key: 'verify/ok.txt', obj_to_write: 'intact ✓' }));

      // Act
      const text = await result(call('read', { key: 'verify/ok.txt', verify: true, encoding: 'utf-8' }));
      const binary = await raw(call('read', { key: 'verify/ok.txt', verify: true }));

      // Assess
      expect(text).toBe('intact ✓');
      expect(binary.response.headers.get('content-type')).toBe('application/octet-stream');
      expect(binary.data.toString('utf8')).toBe('intact ✓');
    });
  });

  describe('fragment sets', () => {
    const softwareVersion = {
      product_name: 'billing-db',
      product_number: 'APR 201 40/2',
      revision: 'R1A',
      production_date: '2030-01-01',
      description: 'billing database',
      type: 'Database',
    };

    it('stores fragments, keeps the last write of one written twice, and completes the set with a manifest', async () => {
      // Prepare
      const big = randomBytes(LARGE);
      const first = await result(
        call('write_fragment', { set: 'sets/full', fragment_id: 'db-0', obj_to_write: 'first try' }),
      );
      const db0 = Buffer.from('db-0 final bytes');

      // Act
      const entries = [
        await result(
          call('write_fragment', {
            set: 'sets/full',
            fragment_id: 'db-0',
            obj_to_write: bytes(db0),
            version: '0.0.1',
            size_in_bytes: db0.length,
            custom_metadata: { host: 'db-0' },
          }),
        ),
        await result(
          call('write_fragment', {
            set: 'sets/full',
            fragment_id: 'db-1',
            local_file_path: await localFile('db-1.bin', big),
            version: '0.0.1',
            custom_metadata_file_path: await localFile('db-1.meta', Buffer.from('replica of db-0')),
          }),
        ),
      ];
      const manifest = (await result(
        call('complete_fragment_set', {
          set: 'sets/full',
          software_version: softwareVersion,
          custom: { note: 'nightly' },
        }),
      )) as Record<string, unknown>;
      const read = await result(call('read_fragment_manifest', { set: 'sets/full' }));
      const downloads = await Promise.all(
        ['db-0', 'db-1'].map((id) => raw(call('download_fragment', { set: 'sets/full', fragment_id: id }))),
      );
      const stored = (await result(call('list_objects', { prefix: 'sets/full/' }))) as { list: { Key: string }[] };

      // Assess
      const keyPattern = (id: string) => new RegExp(`^sets/full/fragments/${id}/[0-9a-f-]{36}\\.data$`);
      expect(entries).toEqual([
        {
          fragment_id: 'db-0',
          version: '0.0.1',
          size_in_bytes: db0.length,
          sha256: sha256(db0),
          key: expect.stringMatching(keyPattern('db-0')),
          custom_metadata: { host: 'db-0' },
        },
        {
          fragment_id: 'db-1',
          version: '0.0.1',
          size_in_bytes: LARGE,
          sha256: sha256(big),
          key: expect.stringMatching(keyPattern('db-1')),
          custom_metadata: 'replica of db-0',
        },
      ]);
      expect((first as { key: string }).key).not.toBe((entries[0] as { key: string }).key);
      expect(manifest).toEqual({
        manifest_version: 1,
        name: 'sets/full',
        agent: { agent_id: 'billing-db-0', scope: 'alpha', api_version: '1.0.0' },
        software_version: softwareVersion,
        created: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        custom: { note: 'nightly' },
        fragments: entries,
      });
      expect(read).toEqual(manifest);
      expect(downloads.map(({ response }) => response.status)).toEqual([200, 200]);
      expect(downloads.map(({ data }) => sha256(data))).toEqual([sha256(db0), sha256(big)]);
      // The superseded write is gone: each fragment is its bytes and its record, and the manifest.
      expect(stored.list.map((entry) => entry.Key).sort()).toEqual(
        [
          'sets/full/manifest.json',
          ...entries.flatMap((entry) => {
            const key = (entry as { key: string }).key;
            return [key, key.replace(/\.data$/, '.json')];
          }),
        ].sort(),
      );
    });

    it('records the agent’s own software version when the caller gives none', async () => {
      // Prepare
      await result(call('write_fragment', { set: 'sets/own-version', fragment_id: 'only', obj_to_write: 'x' }));

      // Act
      const manifest = (await result(call('complete_fragment_set', { set: 'sets/own-version' }))) as Record<
        string,
        unknown
      >;

      // Assess
      expect(manifest.software_version).toEqual({
        product_name: 'Artemis',
        product_number: '2.4.0',
        revision: '117',
        production_date: '2030-01-02',
        description: 'Artemis data-collection agent',
        type: 'DataCollectionAgent',
      });
      expect(manifest.custom).toBeNull();
    });

    it('never lists, reads or restores an interrupted set, and completes it without the unfinished write', async () => {
      // Prepare: one fragment recorded; the bytes of a write whose record never came (the agent died mid-write).
      const done = (await result(
        call('write_fragment', { set: 'sets/interrupted', fragment_id: 'done', obj_to_write: 'whole' }),
      )) as { key: string };
      const orphan = 'sets/interrupted/fragments/cut/0190f5d6-1c2b-7def-8abc-0123456789ab.data';
      await result(call('write', { key: orphan, obj_to_write: 'half of it' }));

      // Act
      const listed = await result(call('list_fragment_sets', { prefix: 'sets/' }));
      const manifest = await execute(call('read_fragment_manifest', { set: 'sets/interrupted' }));
      const download = await execute(call('download_fragment', { set: 'sets/interrupted', fragment_id: 'done' }));
      const completed = (await result(call('complete_fragment_set', { set: 'sets/interrupted' }))) as {
        fragments: { fragment_id: string }[];
      };
      const stored = (await result(call('list_objects', { prefix: 'sets/interrupted/fragments/' }))) as {
        list: { Key: string }[];
      };

      // Assess
      expect((listed as { sets: { name: string }[] }).sets.map((set) => set.name)).not.toContain('sets/interrupted');
      const missing = 'Fragment set sets/interrupted does not exist or is not complete (no manifest)';
      expect(manifest).toEqual(errorEnvelope('StorageNotFoundError', missing, 'NotFound'));
      expect(download).toEqual(errorEnvelope('StorageNotFoundError', missing, 'NotFound'));
      expect(completed.fragments.map((fragment) => fragment.fragment_id)).toEqual(['done']);
      expect(stored.list.map((entry) => entry.Key).sort()).toEqual([done.key, done.key.replace(/\.data$/, '.json')]);
    });

    it('lists complete sets by name, nested ones included, never looking into fragments', async () => {
      // Prepare
      for (const set of ['sets/list/a', 'sets/list/a/nested', 'sets/list/b']) {
        await result(call('write_fragment', { set, fragment_id: 'f', obj_to_write: set }));
        await result(call('complete_fragment_set', { set }));
      }
      await result(call('write_fragment', { set: 'sets/list/open', fragment_id: 'f', obj_to_write: 'x' }));

      // Act
      const listed = (await result(call('list_fragment_sets', { prefix: 'sets/list/' }))) as {
        sets: { name: string; created: unknown }[];
      };

      // Assess
      expect(listed.sets).toEqual(
        ['sets/list/a', 'sets/list/a/nested', 'sets/list/b'].map((name) => ({
          name,
          created: { __type__: 'datetime', __data__: expect.any(String) },
        })),
      );
    });

    it('refuses to change a complete set', async () => {
      // Prepare
      await result(call('write_fragment', { set: 'sets/sealed', fragment_id: 'f', obj_to_write: 'x' }));
      await result(call('complete_fragment_set', { set: 'sets/sealed' }));

      // Act
      const write = await execute(call('write_fragment', { set: 'sets/sealed', fragment_id: 'g', obj_to_write: 'y' }));
      const again = await execute(call('complete_fragment_set', { set: 'sets/sealed' }));

      // Assess
      expect(write).toEqual(
        errorEnvelope(
          'FragmentSetCompleteError',
          'Fragment set sets/sealed is complete: a backup is not changed once complete',
          'FragmentSetComplete',
        ),
      );
      expect(again).toEqual(
        errorEnvelope(
          'FragmentSetCompleteError',
          'Fragment set sets/sealed is already complete',
          'FragmentSetComplete',
        ),
      );
    });

    it('refuses a fragment whose bytes are not the size declared, and keeps nothing of it', async () => {
      // Act
      const body = await execute(
        call('write_fragment', { set: 'sets/sized', fragment_id: 'f', obj_to_write: 'five!', size_in_bytes: 6 }),
      );
      const stored = await result(call('list_objects', { prefix: 'sets/sized/' }));

      // Assess
      expect(body).toEqual(
        errorEnvelope(
          'FragmentSizeMismatchError',
          'Fragment f of sets/sized is 5 bytes, not the 6 declared: not stored',
          'SizeMismatch',
        ),
      );
      expect(stored).toEqual({ list: [], page_token: null });
    });

    it('refuses to restore a fragment corrupted behind the agent’s back', async () => {
      // Prepare
      const data = randomBytes(LARGE);
      const entry = (await result(
        call('write_fragment', {
          set: 'sets/rotten',
          fragment_id: 'f',
          local_file_path: await localFile('rotten.bin', data),
        }),
      )) as { key: string; sha256: string };
      await result(call('complete_fragment_set', { set: 'sets/rotten' }));
      await storage.corrupt(`mcd/${entry.key}`);
      const flipped = Buffer.from(data);
      flipped[0] = (flipped[0] as number) ^ 0xff;

      // Act
      const body = await execute(call('download_fragment', { set: 'sets/rotten', fragment_id: 'f' }));

      // Assess
      const message = `Checksum mismatch for ${entry.key}: expected SHA-256 ${sha256(data)}, read ${sha256(flipped)}`;
      expect(body).toEqual(errorEnvelope('ChecksumMismatchError', message, 'ChecksumMismatch'));
    });

    it('deletes a set, manifest and fragments, and nothing nested under its name', async () => {
      // Prepare
      for (const set of ['sets/gone', 'sets/gone/child']) {
        await result(call('write_fragment', { set, fragment_id: 'f', obj_to_write: set }));
        await result(call('write_fragment', { set, fragment_id: 'g', obj_to_write: set }));
        await result(call('complete_fragment_set', { set }));
      }

      // Act
      const deleted = await result(call('delete_fragment_set', { set: 'sets/gone' }));
      const again = await execute(call('delete_fragment_set', { set: 'sets/gone' }));
      // 'sets/gone/' rather than 'sets/gone': s3rver finds a common prefix only where an object lies right below it.
      const listed = await result(call('list_fragment_sets', { prefix: 'sets/gone/' }));

      // Assess
      expect(deleted).toEqual({ deleted_objects: 5 });
      expect(again).toEqual(errorEnvelope('StorageNotFoundError', 'Fragment set sets/gone does not exist', 'NotFound'));
      expect(listed).toEqual({ sets: [{ name: 'sets/gone/child', created: expect.any(Object) }] });
    });
  });
});
