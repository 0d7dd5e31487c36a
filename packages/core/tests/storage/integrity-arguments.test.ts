import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { operation, startTestAgent, type TestAgent } from '../support/test-agent';

/*
 * The arguments of the integrity and fragment-set operations (issue 18), checked the same way whatever the backend
 * (FILESYSTEM here): every bad value is an error envelope that names it, and nothing is written.
 */

const EXECUTE = '/api/v1/agent/execute/storage/op';
const call = (method: string, kwargs: Record<string, unknown> = {}) => ({ method, kwargs });

let scratch: string;
let root: string;
let agent: TestAgent;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'artemis-integrity-args-'));
  root = join(scratch, 'storage');
  await mkdir(join(scratch, 'temp'), { recursive: true });
  agent = await startTestAgent({
    MCD_STORAGE: 'FILESYSTEM',
    MCD_STORAGE_PATH: root,
    MCD_TEMP_FOLDER: join(scratch, 'temp'),
  });
});

afterAll(async () => {
  await agent?.close();
  await rm(scratch, { recursive: true, force: true });
});

async function execute(...commands: unknown[]) {
  const response = await agent.post(EXECUTE, operation(commands));
  return (await response.json()) as Record<string, unknown>;
}

function operationError(message: string, exception = 'OperationError') {
  return {
    __mcd_error__: message,
    __mcd_exception__: `${exception}: ${message}`,
    __mcd_stack_trace__: expect.any(Array),
    __mcd_trace_id__: 'trace-1',
  };
}

describe('metadata and content_type', () => {
  it.each([
    [
      'an upper-case name',
      { Owner: 'x' },
      'Invalid metadata: Owner: names are 1-64 lower-case letters, digits and _, starting with a letter',
    ],
    [
      'a hyphenated name (Azure refuses it)',
      { 'schema-version': '1' },
      'Invalid metadata: schema-version: names are 1-64 lower-case letters, digits and _, starting with a letter',
    ],
    [
      'a name of the agent’s own',
      { artemis_sha256: '00' },
      'Invalid metadata: artemis_sha256: names starting with "artemis" are reserved for the agent',
    ],
    [
      'a value that is not ASCII',
      { owner: 'zoë' },
      'Invalid metadata: owner: values are printable ASCII without spaces at their ends',
    ],
    [
      'a value with a space at its end',
      { owner: 'billing ' },
      'Invalid metadata: owner: values are printable ASCII without spaces at their ends',
    ],
    ['a value that is not a string', { rows: 3 }, 'Invalid metadata: rows: expected string, received number'],
    [
      'more than 1920 bytes in all',
      { a: 'x'.repeat(1000), b: 'y'.repeat(1000) },
      'Invalid metadata: 2002 bytes of names and values, the limit is 1920',
    ],
  ])('refuses %s and writes nothing', async (_label, metadata, message) => {
    // Act
    const body = await execute(call('write', { key: 'args/refused', obj_to_write: 'x', metadata }));
    const read = await execute(call('get_metadata', { key: 'args/refused' }));

    // Assess
    expect(body).toEqual(operationError(message));
    expect(read.__mcd_error_type__).toBe('NotFound');
  });

  it.each([
    ['not a media type', 'json'],
    ['a header injection', 'text/plain\r\nx-evil: 1'],
  ])('refuses a content_type that is %s', async (_label, contentType) => {
    // Act
    const body = await execute(call('write', { key: 'args/typed', obj_to_write: 'x', content_type: contentType }));

    // Assess
    expect(body).toEqual(
      operationError(
        'Invalid content_type: expected a media type such as "application/json" or "text/csv; charset=utf-8"',
      ),
    );
  });

  it('refuses verify that is not a boolean', async () => {
    // Act
    const body = await execute(call('read', { key: 'args/x', verify: 'yes' }));

    // Assess
    expect(body).toEqual(operationError('verify must be true or false'));
  });
});

describe('objects the agent did not write', () => {
  it('reports no SHA-256 for a file placed behind the agent, and refuses to verify it', async () => {
    // Prepare
    await mkdir(join(root, 'mcd', 'foreign'), { recursive: true });
    await writeFile(join(root, 'mcd', 'foreign', 'dropped.bin'), 'dropped here by hand');

    // Act
    const metadata = await execute(call('get_metadata', { key: 'foreign/dropped.bin' }));
    const verified = await execute(call('read', { key: 'foreign/dropped.bin', verify: true }));

    // Assess
    expect(metadata.__mcd_result__).toMatchObject({
      size: 20,
      content_type: 'application/octet-stream',
      metadata: {},
      sha256: null,
    });
    expect(verified).toEqual({
      ...operationError(
        'No SHA-256 is recorded for foreign/dropped.bin, so it cannot be verified',
        'ChecksumUnavailableError',
      ),
      __mcd_error_type__: 'ChecksumUnavailable',
    });
  });

  it('never serves a metadata sidecar as an object, nor accepts its suffix in a key', async () => {
    // Prepare
    await execute(call('write', { key: 'side/real.txt', obj_to_write: 'real', metadata: { owner: 'me' } }));

    // Act
    const listed = await execute(call('list_objects', { prefix: 'side/' }));
    const body = await execute(call('read', { key: 'side/real.txt.artemis-meta' }));

    // Assess
    expect((listed.__mcd_result__ as { list: { Key: string }[] }).list.map((entry) => entry.Key)).toEqual([
      'side/real.txt',
    ]);
    expect(body).toEqual({
      ...operationError(
        'Invalid storage key "side/real.txt.artemis-meta": the suffix .artemis-meta is reserved',
        'InvalidStorageKeyError',
      ),
      __mcd_error_type__: 'Forbidden',
    });
  });
});

describe('fragment-set arguments', () => {
  it.each([
    [
      'an empty set name',
      { set: '', fragment_id: 'f', obj_to_write: 'x' },
      'Invalid set: "/"-separated names without empty, ".", "..", "fragments" or "manifest.json" segments, backslashes or control characters',
    ],
    [
      'a set name with a fragments segment',
      { set: 'a/fragments/b', fragment_id: 'f', obj_to_write: 'x' },
      'Invalid set: "/"-separated names without empty, ".", "..", "fragments" or "manifest.json" segments, backslashes or control characters',
    ],
    [
      'a set name that climbs',
      { set: 'a/../b', fragment_id: 'f', obj_to_write: 'x' },
      'Invalid set: "/"-separated names without empty, ".", "..", "fragments" or "manifest.json" segments, backslashes or control characters',
    ],
    [
      'a fragment id with a slash',
      { set: 's', fragment_id: 'a/b', obj_to_write: 'x' },
      'Invalid fragment_id: expected 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit',
    ],
    ['no data', { set: 's', fragment_id: 'f' }, 'write_fragment needs exactly one of obj_to_write and local_file_path'],
    [
      'two sources of data',
      { set: 's', fragment_id: 'f', obj_to_write: 'x', local_file_path: '/tmp/x' },
      'write_fragment needs exactly one of obj_to_write and local_file_path',
    ],
    [
      'a negative size',
      { set: 's', fragment_id: 'f', obj_to_write: 'x', size_in_bytes: -1 },
      'Invalid size_in_bytes: too small',
    ],
    [
      'two sources of custom metadata',
      { set: 's', fragment_id: 'f', obj_to_write: 'x', custom_metadata: {}, custom_metadata_file_path: '/tmp/m' },
      'Give custom_metadata or custom_metadata_file_path, not both',
    ],
    [
      'custom metadata over 64 KiB',
      { set: 's', fragment_id: 'f', obj_to_write: 'x', custom_metadata: 'm'.repeat(70_000) },
      'Custom metadata is 70002 bytes; the limit is 65536',
    ],
  ])('refuses %s in write_fragment', async (_label, kwargs, message) => {
    // Act
    const body = await execute(call('write_fragment', kwargs));

    // Assess
    expect(body).toEqual(operationError(message));
  });

  it('reads local files for a fragment only under MCD_TEMP_FOLDER, links resolved', async () => {
    // Prepare
    const link = join(scratch, 'temp', 'escape');
    await symlink('/etc/hostname', link);

    // Act
    const answers = await Promise.all(
      [
        { local_file_path: '/etc/hostname' },
        { local_file_path: link },
        { obj_to_write: 'x', custom_metadata_file_path: '/etc/hostname' },
      ].map((source) => execute(call('write_fragment', { set: 's', fragment_id: 'f', ...source }))),
    );

    // Assess
    expect(answers.map((body) => [body.__mcd_error_type__, body.__mcd_error__])).toEqual([
      [
        'Forbidden',
        `write_fragment may only read files under MCD_TEMP_FOLDER (${join(scratch, 'temp')}): /etc/hostname`,
      ],
      ['Forbidden', `write_fragment may only read files under MCD_TEMP_FOLDER (${join(scratch, 'temp')}): ${link}`],
      [
        'Forbidden',
        `write_fragment may only read files under MCD_TEMP_FOLDER (${join(scratch, 'temp')}): /etc/hostname`,
      ],
    ]);
  });

  it('refuses a software_version block with unknown or mistyped fields', async () => {
    // Prepare
    await execute(call('write_fragment', { set: 'versioned', fragment_id: 'f', obj_to_write: 'x' }));

    // Act
    const body = await execute(
      call('complete_fragment_set', { set: 'versioned', software_version: { productName: 'camelCase' } }),
    );

    // Assess
    expect(body.__mcd_error__).toMatch(/^Invalid software_version: /);
    expect(body.__mcd_error_type__).toBeUndefined();
  });

  it('refuses to complete a set that has no fragments', async () => {
    // Act
    const body = await execute(call('complete_fragment_set', { set: 'empty' }));

    // Assess
    expect(body).toEqual(operationError('Fragment set empty has no fragments to complete it with'));
  });
});
