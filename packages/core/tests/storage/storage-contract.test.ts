import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { operation, startTestAgent, type TestAgent } from '../support/test-agent';
import { allStorageFixtures, BUCKET, type RunningStorage } from './support/storage-fixtures';

/*
 * The storage contract (SPEC §4, §7): every operation of the `storage` connection type, over real HTTP through the
 * local server, against each backend — S3 and S3_COMPATIBLE on s3rver, AZURE_BLOB on azurite, GCS on the fake JSON
 * API driven by the real client, FILESYSTEM on a temp dir. Every backend must give the same answers.
 */

const EXECUTE = '/api/v1/agent/execute/storage/op';
/** The runtime's payload cap for these agents: results above it are offloaded automatically. */
const RUNTIME_LIMIT = 64 * 1024;

const call = (method: string, kwargs: Record<string, unknown> = {}, args: unknown[] = []) => ({
  method,
  args,
  kwargs,
});
const bytes = (data: Buffer) => ({ __type__: 'bytes', __data__: data.toString('base64') });

describe.each(allStorageFixtures)('storage on $type', (fixture) => {
  let storage: RunningStorage;
  let agent: TestAgent;
  /** The same bucket seen without a prefix: shows where the prefixed agent really put things. */
  let unprefixed: TestAgent;

  async function execute(commands: unknown[], extra: Record<string, unknown> = {}, through = agent) {
    const response = await through.post(EXECUTE, operation(commands, extra));
    return { response, body: (await response.json()) as Record<string, unknown> };
  }
  async function result(...commands: unknown[]) {
    const { body } = await execute(commands);
    if (!('__mcd_result__' in body)) throw new Error(`Operation failed: ${JSON.stringify(body)}`);
    return body.__mcd_result__;
  }
  async function raw(...commands: unknown[]) {
    const response = await agent.post(EXECUTE, operation(commands));
    return { response, data: Buffer.from(await response.arrayBuffer()) };
  }

  beforeAll(async () => {
    storage = await fixture.start();
    const env: Record<string, string> = {
      ...storage.env,
      MCD_TEMP_FOLDER: storage.scratch,
      MCD_PRE_SIGNED_URL_RESPONSE_EXPIRATION_SECONDS: '60',
    };
    agent = await startTestAgent(env, { responsePayloadLimitBytes: RUNTIME_LIMIT });
    const { PORT: _ownPort, ...shared } = env;
    unprefixed = await startTestAgent({ ...shared, MCD_STORAGE_PREFIX: '' });
  });

  afterAll(async () => {
    await agent?.close();
    await unprefixed?.close();
    await storage?.stop();
  });

  it('writes text and reads it back as a string with an encoding, as raw bytes without one', async () => {
    // Prepare
    await result(call('write', { key: 'notes/hello.txt', obj_to_write: 'héllo wörld' }));

    // Act
    const text = await result(call('read', { key: 'notes/hello.txt', encoding: 'utf-8' }));
    const binary = await raw(call('read', { key: 'notes/hello.txt' }));

    // Assess
    expect(text).toBe('héllo wörld');
    expect(binary.response.status).toBe(200);
    expect(binary.response.headers.get('content-type')).toBe('application/octet-stream');
    expect(binary.response.headers.get('x-mcd-trace-id')).toBe('trace-1');
    expect(binary.data.toString('utf8')).toBe('héllo wörld');
  });

  it('answers write with null and keeps bytes exact, positional arguments included', async () => {
    // Prepare
    const data = randomBytes(70_000);

    // Act
    const written = await result(call('write', {}, ['bin/random.bin', bytes(data)]));
    const read = await raw(call('read', {}, ['bin/random.bin']));

    // Assess
    expect(written).toBeNull();
    expect(read.data.equals(data)).toBe(true);
  });

  it('handles empty objects and Python-style encoding names', async () => {
    // Prepare
    await result(call('write', { key: 'edge/empty', obj_to_write: '' }));
    await result(call('write', { key: 'edge/latin1', obj_to_write: bytes(Buffer.from([0x63, 0x61, 0x66, 0xe9])) }));

    // Act
    const empty = await raw(call('read', { key: 'edge/empty', decompress: true }));
    const latin = await result(call('read', { key: 'edge/latin1', encoding: 'latin-1' }));
    const unknown = await execute([call('read', { key: 'edge/latin1', encoding: 'klingon' })]);

    // Assess
    expect(empty.response.status).toBe(200);
    expect(empty.data.length).toBe(0);
    expect(latin).toBe('café');
    expect(unknown.body.__mcd_error__).toBe('Unknown encoding: klingon');
  });

  it('decompresses gzip objects when asked and passes other objects through', async () => {
    // Prepare
    await result(call('write', { key: 'gz/data.json.gz', obj_to_write: bytes(gzipSync('{"a": 1}')) }));
    await result(call('write', { key: 'gz/plain.txt', obj_to_write: 'not compressed' }));

    // Act
    const unzipped = await result(call('read', { key: 'gz/data.json.gz', decompress: true, encoding: 'utf-8' }));
    const plain = await raw(call('read', { key: 'gz/plain.txt', decompress: true }));
    const still = await raw(call('read', { key: 'gz/data.json.gz' }));

    // Assess
    expect(unzipped).toBe('{"a": 1}');
    expect(plain.data.toString()).toBe('not compressed');
    expect(gunzipSync(still.data).toString()).toBe('{"a": 1}');
  });

  it('reads JSON objects one at a time and many under a prefix, keys relative', async () => {
    // Prepare
    await result(call('write', { key: 'json/a.json', obj_to_write: '{"n": 1}' }));
    await result(call('write', { key: 'json/sub/b.json', obj_to_write: '[true, null]' }));

    // Act
    const one = await result(call('read_json', { key: 'json/a.json' }));
    const many = await result(call('read_many_json', { prefix: 'json/' }));

    // Assess
    expect(one).toEqual({ n: 1 });
    expect(many).toEqual({ 'json/a.json': { n: 1 }, 'json/sub/b.json': [true, null] });
  });

  it('lists objects with the exact shape, pages with page_token and groups with a delimiter', async () => {
    // Prepare
    for (const key of ['list/1.txt', 'list/2.txt', 'list/3.txt', 'list/dir/4.txt', 'list/dir2/5.txt']) {
      await result(call('write', { key, obj_to_write: key }));
    }

    // Act
    const first = (await result(call('list_objects', { prefix: 'list/', batch_size: 2 }))) as {
      list: Record<string, unknown>[];
      page_token: string | null;
    };
    const pages = [first];
    while (pages.at(-1)?.page_token) {
      const token = pages.at(-1)?.page_token;
      pages.push(
        (await result(
          call('list_objects', { prefix: 'list/', batch_size: 2, continuation_token: token }),
        )) as typeof first,
      );
    }
    const folders = await result(call('list_objects', { prefix: 'list/', delimiter: '/' }));

    // Assess
    expect(first.list[0]).toEqual({
      Key: 'list/1.txt',
      Size: 10,
      ETag: expect.any(String),
      LastModified: { __type__: 'datetime', __data__: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*\+00:00$/) },
      StorageClass: expect.any(String),
    });
    expect(pages.map((page) => page.list.map((entry) => entry.Key))).toEqual([
      ['list/1.txt', 'list/2.txt'],
      ['list/3.txt', 'list/dir/4.txt'],
      ['list/dir2/5.txt'],
    ]);
    expect(pages.at(-1)?.page_token).toBeNull();
    expect(folders).toEqual({ list: [{ Prefix: 'list/dir/' }, { Prefix: 'list/dir2/' }], page_token: null });
  });

  it('stores keys under the prefix (mcd/ by default) and strips it from returned keys', async () => {
    // Prepare
    await result(call('write', { key: 'prefixed/x.txt', obj_to_write: 'x' }));

    // Act
    const { body } = await execute([call('list_objects', { prefix: 'mcd/prefixed/' })], {}, unprefixed);

    // Assess
    expect((body.__mcd_result__ as { list: { Key: string }[] }).list.map((entry) => entry.Key)).toEqual([
      'mcd/prefixed/x.txt',
    ]);
  });

  it('deletes objects; reading or deleting a missing key is a NotFound envelope', async () => {
    // Prepare
    await result(call('write', { key: 'del/gone.txt', obj_to_write: 'bye' }));

    // Act
    const deleted = await result(call('delete', { key: 'del/gone.txt' }));
    const read = await execute([call('read', { key: 'del/gone.txt' })]);
    const again = await execute([call('delete', { key: 'del/gone.txt' })]);

    // Assess
    expect(deleted).toBeNull();
    for (const { response, body } of [read, again]) {
      expect(response.status).toBe(200);
      expect(body).toEqual({
        __mcd_error__: expect.stringContaining('del/gone.txt'),
        __mcd_exception__: expect.stringMatching(/^StorageNotFoundError: /),
        __mcd_stack_trace__: expect.any(Array),
        __mcd_error_type__: 'NotFound',
        __mcd_trace_id__: 'trace-1',
      });
    }
  });

  it('generates pre-signed URLs that plain fetch can read, and that expire', async () => {
    // Prepare
    await result(call('write', { key: 'signed/file.txt', obj_to_write: 'signed content' }));

    // Act
    const url = (await result(call('generate_presigned_url', { key: 'signed/file.txt', expiration: 300 }))) as string;
    const shortLived = (await result(call('generate_presigned_url', {}, ['signed/file.txt', 1]))) as string;
    const fetched = await fetch(url);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    // A new connection: after the wait, the server's keep-alive timer may close the idle one as fetch reuses it.
    const expired = await fetch(shortLived, { headers: { connection: 'close' } });

    // Assess
    expect(fetched.status).toBe(200);
    await expect(fetched.text()).resolves.toBe('signed content');
    expect(expired.status).toBeGreaterThanOrEqual(400);
    expect(expired.status).toBeLessThan(500);
    await expect(expired.text()).resolves.not.toContain('signed content');
  });

  it('refuses a pre-signed URL lifetime outside 1 s to 7 days', async () => {
    // Act
    const { body } = await execute([call('generate_presigned_url', { key: 'signed/file.txt', expiration: 0 })]);

    // Assess
    expect(body.__mcd_error__).toBe('expiration must be an integer from 1 to 604800');
  });

  it('reports the bucket private, its access fine and its name', async () => {
    // Act
    const privacy = await result(call('is_bucket_private'));
    const access = await result(call('check_storage_access'));
    const name = await result(call('bucket_name'));

    // Assess
    expect(privacy).toBe(true);
    expect(access).toBeNull();
    expect(name).toBe(fixture.type === 'FILESYSTEM' ? storage.env.MCD_STORAGE_PATH : BUCKET);
  });

  it('answers check_storage_access and is_bucket_private on a missing bucket with NotFound', async () => {
    // Prepare
    const { PORT: _port, ...env } = { ...storage.env, ...storage.missingBucket } as Record<string, string>;
    const missing = await startTestAgent(env);

    // Act
    const answers = await Promise.all(
      [call('check_storage_access'), call('is_bucket_private')].map((command) => execute([command], {}, missing)),
    );
    await missing.close();

    // Assess
    for (const { body } of answers) {
      expect(body).toEqual({
        __mcd_error__: expect.any(String),
        __mcd_exception__: expect.stringMatching(/^StorageNotFoundError: /),
        __mcd_stack_trace__: expect.any(Array),
        __mcd_error_type__: 'NotFound',
        __mcd_trace_id__: 'trace-1',
      });
    }
  });

  (fixture.hasPublicBuckets ? it : it.skip)('reports a bucket anyone may read as not private', async () => {
    // Prepare
    const { PORT: _port, ...env } = { ...storage.env, ...storage.publicBucket } as Record<string, string>;
    const open = await startTestAgent(env);

    // Act
    const { body } = await execute([call('is_bucket_private')], {}, open);
    await open.close();

    // Assess
    expect(body).toEqual({ __mcd_result__: false, __mcd_trace_id__: 'trace-1' });
  });

  (fixture.checksCredentials ? it : it.skip)('answers refused credentials with Permissions', async () => {
    // Prepare
    const refused = await startTestAgent({ ...storage.env, ...storage.wrongCredentials, PORT: '0' });

    // Act
    const answers = await Promise.all(
      [
        call('read', { key: 'notes/hello.txt' }),
        call('write', { key: 'x', obj_to_write: 'x' }),
        call('list_objects'),
      ].map((command) => execute([command], {}, refused)),
    );
    await refused.close();

    // Assess
    for (const { body } of answers) {
      expect(body).toEqual({
        __mcd_error__: expect.any(String),
        __mcd_exception__: expect.stringMatching(/^StoragePermissionsError: /),
        __mcd_stack_trace__: expect.any(Array),
        __mcd_error_type__: 'Permissions',
        __mcd_trace_id__: 'trace-1',
      });
    }
  });

  it('uploads a 12 MB file from MCD_TEMP_FOLDER (streamed up) and downloads it streamed', async () => {
    // Prepare
    const data = randomBytes(12 * 1024 * 1024);
    const local = join(storage.scratch, 'upload.bin');
    await writeFile(local, data);

    // Act
    const uploaded = await result(call('upload_file', { key: 'up/big.bin', local_file_path: local }));
    const downloaded = await raw(call('download_file', { key: 'up/big.bin' }));
    const managed = await raw(call('managed_download', {}, ['up/big.bin']));

    // Assess
    const digest = (buffer: Buffer) => createHash('sha256').update(buffer).digest('hex');
    expect(uploaded).toBeNull();
    expect(downloaded.response.headers.get('content-type')).toBe('application/octet-stream');
    expect(digest(downloaded.data)).toBe(digest(data));
    expect(digest(managed.data)).toBe(digest(data));
  });

  it('refuses upload_file outside MCD_TEMP_FOLDER, through .. or through a symlink, with Forbidden', async () => {
    // Prepare
    await mkdir(join(storage.scratch, 'links'), { recursive: true });
    await symlink('/etc/hostname', join(storage.scratch, 'links', 'escape')).catch(() => undefined);
    const attempts = ['/etc/hostname', `${storage.scratch}/../../etc/hostname`, join(storage.scratch, 'links/escape')];

    // Act
    const answers = await Promise.all(
      attempts.map((path) => execute([call('upload_file', { key: 'up/stolen', local_file_path: path })])),
    );
    const listed = await result(call('list_objects', { prefix: 'up/stolen' }));

    // Assess
    for (const [index, { body }] of answers.entries()) {
      expect(body).toEqual({
        __mcd_error__: `upload_file may only read files under MCD_TEMP_FOLDER (${storage.scratch}): ${attempts[index]}`,
        __mcd_exception__: expect.stringMatching(/^LocalPathForbiddenError: upload_file may only/),
        __mcd_stack_trace__: expect.any(Array),
        __mcd_error_type__: 'Forbidden',
        __mcd_trace_id__: 'trace-1',
      });
    }
    expect(listed).toEqual({ list: [], page_token: null });
  });

  describe('hostile keys', () => {
    const hostile: [string, string, string][] = [
      ['../x', '../x', `Invalid storage key "../x": '..' segments are not allowed`],
      ['/etc/passwd', '/etc/passwd', 'Invalid storage key "/etc/passwd": absolute keys are not allowed'],
      ['a/../../b', 'a/../../b', `Invalid storage key "a/../../b": '..' segments are not allowed`],
      ['a NUL b', 'a\u0000b', 'Invalid storage key "a\\u0000b": control characters are not allowed'],
      [
        'a 2 KB key',
        'k'.repeat(2048),
        `Invalid storage key "${'k'.repeat(64)}…": 2052 bytes with the prefix, the limit is 1024`,
      ],
    ];

    it.each(hostile)('refuses %s on every operation and touches nothing', async (_label, key, message) => {
      // Prepare
      const before = await result(call('list_objects', { batch_size: 1000 }));
      const beforeUnprefixed = await execute([call('list_objects')], {}, unprefixed);
      const operations = [
        call('write', { key, obj_to_write: 'pwned' }),
        call('read', { key }),
        call('read_json', { key }),
        call('delete', { key }),
        call('download_file', { key }),
        call('generate_presigned_url', { key, expiration: 60 }),
        call('upload_file', { key, local_file_path: join(storage.scratch, 'upload.bin') }),
      ];

      // Act
      const answers = await Promise.all(operations.map((command) => execute([command])));

      // Assess
      for (const { response, body } of answers) {
        expect(response.status).toBe(200);
        expect(body).toEqual({
          __mcd_error__: message,
          __mcd_exception__: `InvalidStorageKeyError: ${message}`,
          __mcd_stack_trace__: expect.any(Array),
          __mcd_error_type__: 'Forbidden',
          __mcd_trace_id__: 'trace-1',
        });
      }
      await expect(result(call('list_objects', { batch_size: 1000 }))).resolves.toEqual(before);
      await expect(execute([call('list_objects')], {}, unprefixed)).resolves.toMatchObject({
        body: beforeUnprefixed.body,
      });
      if (fixture.type === 'FILESYSTEM') {
        await expect(readdir(join(storage.scratch, 'root'))).resolves.toEqual(['storage']);
      }
    });
  });

  it('refuses hostile prefixes for list_objects and read_many_json', async () => {
    // Act
    const answers = await Promise.all(
      [call('list_objects', { prefix: '../' }), call('read_many_json', { prefix: '/etc' })].map((command) =>
        execute([command]),
      ),
    );

    // Assess
    expect(answers.map(({ body }) => [body.__mcd_error__, body.__mcd_error_type__])).toEqual([
      [`Invalid storage prefix "../": '..' segments are not allowed`, 'Forbidden'],
      ['Invalid storage prefix "/etc": absolute keys are not allowed', 'Forbidden'],
    ]);
  });

  describe('large responses offloaded to storage', () => {
    const big = { data: 'x'.repeat(100) };

    beforeAll(async () => {
      await result(call('write', { key: 'offload/big.json', obj_to_write: JSON.stringify(big) }));
    });

    it('stores the envelope at responses/<trace_id> when it exceeds response_size_limit_bytes', async () => {
      // Act
      const { body } = await execute([call('read_json', { key: 'offload/big.json' })], {
        trace_id: 'offload-1',
        response_size_limit_bytes: 50,
      });
      const stored = await fetch(body.__mcd_result_location__ as string);

      // Assess
      expect(body).toEqual({ __mcd_result_location__: expect.any(String), __mcd_trace_id__: 'offload-1' });
      await expect(stored.json()).resolves.toEqual({ __mcd_result__: big, __mcd_trace_id__: 'offload-1' });
      await expect(result(call('read_json', { key: 'responses/offload-1' }))).resolves.toEqual({
        __mcd_result__: big,
        __mcd_trace_id__: 'offload-1',
      });
    });

    it('gzips the stored envelope with compress_response_file and says so', async () => {
      // Act
      const { body } = await execute([call('read_json', { key: 'offload/big.json' })], {
        trace_id: 'offload-2',
        response_size_limit_bytes: 50,
        compress_response_file: true,
      });
      const stored = Buffer.from(await (await fetch(body.__mcd_result_location__ as string)).arrayBuffer());

      // Assess
      expect(body).toEqual({
        __mcd_result_location__: expect.any(String),
        __mcd_trace_id__: 'offload-2',
        __mcd_result_compressed__: true,
      });
      expect(JSON.parse(gunzipSync(stored).toString())).toEqual({ __mcd_result__: big, __mcd_trace_id__: 'offload-2' });
    });

    it('stores the bare result for response_type "url", uncompressed, whatever its size', async () => {
      // Act
      const { body } = await execute([call('read_json', { key: 'offload/big.json' })], {
        trace_id: 'offload-3',
        response_type: 'url',
        compress_response_file: true,
      });

      // Assess
      expect(body).toEqual({ __mcd_result_location__: expect.any(String), __mcd_trace_id__: 'offload-3' });
      await expect((await fetch(body.__mcd_result_location__ as string)).json()).resolves.toEqual(big);
    });

    it('offloads an error envelope whole and keeps its error keys in the body', async () => {
      // Act
      const { body } = await execute([call('read_json', { key: 'offload/missing.json' })], {
        trace_id: 'offload-4',
        response_type: 'url',
      });
      const stored = await (await fetch(body.__mcd_result_location__ as string)).json();

      // Assess
      const { __mcd_result_location__: location, ...envelope } = body;
      expect(location).toEqual(expect.any(String));
      expect(envelope).toEqual({
        __mcd_error__: expect.stringContaining('offload/missing.json'),
        __mcd_exception__: expect.stringMatching(/^StorageNotFoundError: /),
        __mcd_stack_trace__: expect.any(Array),
        __mcd_error_type__: 'NotFound',
        __mcd_trace_id__: 'offload-4',
      });
      expect(stored).toEqual(envelope);
    });

    it('offloads automatically above the runtime payload limit', async () => {
      // Prepare
      const huge = { rows: Array.from({ length: 2000 }, (_, i) => ({ i, text: 'y'.repeat(40) })) };
      await result(call('write', { key: 'offload/huge.json', obj_to_write: JSON.stringify(huge) }));

      // Act
      const { body } = await execute([call('read_json', { key: 'offload/huge.json' })], { trace_id: 'offload-5' });

      // Assess
      expect(body).toEqual({ __mcd_result_location__: expect.any(String), __mcd_trace_id__: 'offload-5' });
      await expect((await fetch(body.__mcd_result_location__ as string)).json()).resolves.toEqual({
        __mcd_result__: huge,
        __mcd_trace_id__: 'offload-5',
      });
    });
  });
});
