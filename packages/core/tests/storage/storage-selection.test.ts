import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/config';
import { FilesystemStorage } from '../../src/storage/filesystem-storage';
import { operation, startTestAgent, type TestAgent } from '../support/test-agent';

/*
 * Which backend the agent uses (SPEC §7): MCD_STORAGE, else the runtime's default, created once per agent; missing
 * settings are named, at start-up when MCD_STORAGE is explicit, in the operation's envelope when it is a default.
 */

describe('storage configuration at start-up', () => {
  it.each([
    ['S3', {}, 'MCD_STORAGE_BUCKET_NAME'],
    ['GCS', {}, 'MCD_STORAGE_BUCKET_NAME'],
    ['AZURE_BLOB', { MCD_STORAGE_BUCKET_NAME: 'b' }, 'MCD_STORAGE_ACCOUNT_NAME'],
  ])('refuses MCD_STORAGE=%s without %s', (type, extra, variable) => {
    // Act
    const load = () => loadConfig({ MCD_STORAGE: type, ...extra });

    // Assess
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(`${variable} env var expected (MCD_STORAGE=${type})`);
  });

  it('names every missing S3_COMPATIBLE setting in one line', () => {
    // Act
    const load = () => loadConfig({ MCD_STORAGE: 'S3_COMPATIBLE', MCD_STORAGE_BUCKET_NAME: 'b' });

    // Assess
    expect(load).toThrow(
      'Invalid configuration: Endpoint URL not configured, MCD_STORAGE_ENDPOINT_URL env var expected ' +
        '(MCD_STORAGE=S3_COMPATIBLE); Access key not configured, MCD_STORAGE_ACCESS_KEY env var expected ' +
        '(MCD_STORAGE=S3_COMPATIBLE); Secret key not configured, MCD_STORAGE_SECRET_KEY env var expected ' +
        '(MCD_STORAGE=S3_COMPATIBLE)',
    );
  });

  it('refuses an unknown MCD_STORAGE', () => {
    // Act
    const load = () => loadConfig({ MCD_STORAGE: 's3' });

    // Assess
    expect(load).toThrow(
      "Invalid configuration: MCD_STORAGE: expected one of S3, GCS, AZURE_BLOB, S3_COMPATIBLE, FILESYSTEM (got 's3')",
    );
  });

  it.each([
    [undefined, 'mcd'],
    ['', ''],
    ['/', ''],
    ['/tenant/a/', 'tenant/a'],
  ])('reads MCD_STORAGE_PREFIX %j as %j', (raw, prefix) => {
    // Act
    const config = loadConfig(raw === undefined ? {} : { MCD_STORAGE_PREFIX: raw });

    // Assess
    expect(config.storage.prefix).toBe(prefix);
  });
});

describe('storage backend selection', () => {
  let scratch: string;
  let agents: TestAgent[] = [];

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'artemis-storage-selection-'));
  });

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.close()));
    agents = [];
    await rm(scratch, { recursive: true, force: true });
  });

  async function agentWith(env: Record<string, string>, options: Parameters<typeof startTestAgent>[1] = {}) {
    const agent = await startTestAgent(env, options);
    agents.push(agent);
    return agent;
  }

  it('uses FILESYSTEM (the embedded default) when nothing is configured, one instance per agent', async () => {
    // Prepare
    const agent = await agentWith({ MCD_STORAGE_PATH: join(scratch, 'default') });

    // Act
    const [first, second] = await Promise.all([agent.agent.services.storage(), agent.agent.services.storage()]);

    // Assess
    expect(first).toBeInstanceOf(FilesystemStorage);
    expect(second).toBe(first);
    expect(first.bucketName).toBe(join(scratch, 'default'));
  });

  it("answers the runtime default's missing bucket in the operation's envelope, naming the variable", async () => {
    // Prepare
    const agent = await agentWith({}, { defaultStorage: 'S3' });

    // Act
    const response = await agent.post(
      '/api/v1/agent/execute/storage/list',
      operation([{ method: 'list_objects', kwargs: {} }]),
    );

    // Assess
    expect(response.status).toBe(200);
    await expect(response.json()).resolves.toEqual({
      __mcd_error__: 'Bucket not configured, MCD_STORAGE_BUCKET_NAME env var expected (MCD_STORAGE=S3)',
      __mcd_exception__:
        'StorageConfigurationError: Bucket not configured, MCD_STORAGE_BUCKET_NAME env var expected (MCD_STORAGE=S3)',
      __mcd_stack_trace__: expect.any(Array),
      __mcd_trace_id__: 'trace-1',
    });
  });

  it('fails an offloaded response with a clear envelope when storage is not configured', async () => {
    // Prepare
    const agent = await agentWith({}, { defaultStorage: 'GCS' });

    // Act
    const response = await agent.post(
      '/api/v1/agent/execute/storage/x',
      operation([{ target: '__utils', method: 'build_dict', kwargs: { a: 1 } }], {
        trace_id: 'no-storage',
        response_type: 'url',
      }),
    );

    // Assess
    expect(response.status).toBe(200);
    await expect(response.json()).resolves.toEqual({
      __mcd_error__: 'Bucket not configured, MCD_STORAGE_BUCKET_NAME env var expected (MCD_STORAGE=GCS)',
      __mcd_exception__:
        'StorageConfigurationError: Bucket not configured, MCD_STORAGE_BUCKET_NAME env var expected (MCD_STORAGE=GCS)',
      __mcd_stack_trace__: expect.any(Array),
      __mcd_trace_id__: 'no-storage',
    });
  });

  it("uses an embedder's storage for offload, and refuses the storage type when it is only the small seam", async () => {
    // Prepare
    const written = new Map<string, Buffer>();
    const seam = {
      bucketName: 'seam',
      write: async (key: string, data: unknown) => {
        written.set(key, Buffer.from(data as Buffer));
      },
      read: async () => {
        throw new Error('not used');
      },
      presignedUrl: async (key: string, seconds: number) => `https://example.test/${key}?ttl=${seconds}`,
    };
    const agent = await agentWith(
      {},
      { storage: async () => seam, connectors: { echo: async () => ({ create: () => ({}) }) } },
    );

    // Act
    const offloaded = await agent.post(
      '/api/v1/agent/execute/echo/y',
      operation([{ target: '__utils', method: 'build_dict', kwargs: { a: 1 } }], {
        trace_id: 't-9',
        response_type: 'url',
      }),
    );
    const refused = await agent.post('/api/v1/agent/execute/storage/list', operation([{ method: 'list_objects' }]));

    // Assess
    await expect(offloaded.json()).resolves.toEqual({
      __mcd_result_location__: 'https://example.test/responses/t-9?ttl=3600',
      __mcd_trace_id__: 't-9',
    });
    expect(written.get('responses/t-9')?.toString()).toBe('{"a":1}');
    await expect(refused.json()).resolves.toMatchObject({
      __mcd_error__: 'The storage backend of this agent does not support the storage connection type',
    });
  });

  it('lists storage as a native connection type', async () => {
    // Prepare
    const agent = await agentWith({ MCD_STORAGE_PATH: join(scratch, 'types') });

    // Act
    const response = await agent.post('/api/v1/agent/connectors/types', {});

    // Assess
    await expect(response.json()).resolves.toEqual({
      __mcd_result__: { connector_types: { native: ['storage'], custom: [] } },
    });
  });
});
