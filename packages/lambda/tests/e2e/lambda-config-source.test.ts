import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildForTest,
  call,
  type FakeAws,
  fixtureEnv,
  type StartedProcess,
  startEmulator,
  startFakeAws,
} from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

/*
 * Issue 17 end to end: the BUILT Lambda bundle behind scripts/lambda-local, with MCD_CONFIG_SOURCE=ssm:/artemis/test/
 * and the AWS SDK's own endpoint override (AWS_ENDPOINT_URL_SSM) pointing its SSM client at the HTTP-level fake.
 * The store sets the log level and the storage prefix; health lists the names it set, never their values; the store
 * is read once, at INIT.
 */
const SIGNING_SECRET = 'lambda-store-secret-Vn38Qp';

let bundle: Awaited<ReturnType<typeof buildForTest>>;
let fake: FakeAws;
let emulator: StartedProcess;
let storage: string;

beforeAll(async () => {
  [bundle, fake] = await Promise.all([buildForTest('lambda'), startFakeAws()]);
  fake.parameters.set('/artemis/test/MCD_LOG_LEVEL', 'debug');
  fake.plainParameters.add('/artemis/test/MCD_LOG_LEVEL');
  fake.parameters.set('/artemis/test/storage/MCD_STORAGE_PREFIX', 'from-ssm');
  fake.parameters.set('/artemis/test/storage/MCD_STORAGE_SIGNING_SECRET', SIGNING_SECRET);
  storage = mkdtempSync(join(tmpdir(), 'artemis-lambda-config-source-'));
  // The fixture's own log level is left out: the store sets it (a variable set in the environment would win).
  const { MCD_LOG_LEVEL: _fixtureLevel, ...fixture } = fixtureEnv({ MCD_STORAGE_PATH: storage });
  emulator = await startEmulator('lambda-local', join(bundle.dir, 'lambda/index.mjs'), {
    ...fixture,
    MCD_CONFIG_SOURCE: 'ssm:/artemis/test/',
    AWS_ENDPOINT_URL_SSM: fake.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDAGENT',
    AWS_SECRET_ACCESS_KEY: 'agent-secret',
  });
}, 180_000); // building the bundle on a loaded machine: the hook's time is not what is tested

afterAll(async () => {
  await emulator?.stop();
  await fake?.close();
  await bundle?.remove();
  if (storage) rmSync(storage, { recursive: true, force: true });
});

describe('scripts/lambda-local with MCD_CONFIG_SOURCE=ssm:/artemis/test/', () => {
  it('health names the source and the variables it set, never their values', async () => {
    // Act
    const response = await fetch(`${emulator.ready}/api/v1/test/health`);
    const body = (await response.json()) as { env: Record<string, string>; config_source: unknown };

    // Assess
    expect(response.status).toBe(200);
    expect(body.config_source).toEqual({
      source: 'ssm:/artemis/test/',
      variables: ['MCD_LOG_LEVEL', 'MCD_STORAGE_PREFIX', 'MCD_STORAGE_SIGNING_SECRET'],
    });
    expect(body.env.MCD_CONFIG_SOURCE).toBe('ssm:/artemis/test/');
    for (const name of ['MCD_LOG_LEVEL', 'MCD_STORAGE_PREFIX', 'MCD_STORAGE_SIGNING_SECRET']) {
      expect(body.env).not.toHaveProperty(name);
    }
    expect(JSON.stringify(body)).not.toContain(SIGNING_SECRET);
    expect(JSON.stringify(body)).not.toContain('from-ssm');
  });

  it('logs at the level the store set, and said how many variables came from it', async () => {
    // Act
    const response = await fetch(`${emulator.ready}/api/v1/agent/execute/fixture/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operation: { trace_id: 'cs-1', commands: [call('echo', { ok: true })] } }),
    });
    await response.json();

    // Assess: debug lines are written only at the store's level (the fixture's own is warn).
    const messages = emulator
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level?: string; msg?: string });
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          level: 'info',
          msg: 'Configuration source ssm:/artemis/test/: 3 variables applied (MCD_LOG_LEVEL, MCD_STORAGE_PREFIX, MCD_STORAGE_SIGNING_SECRET)',
        }),
        expect.objectContaining({ level: 'debug', msg: 'Operation executed' }),
      ]),
    );
    expect(emulator.stdout() + emulator.stderr()).not.toContain(SIGNING_SECRET);
  });

  it('stores under the prefix the store set, and read the store once (INIT) for every request', async () => {
    // Act: an async job's record is written before the 202.
    const response = await fetch(`${emulator.ready}/async/api/v1/agent/execute/fixture/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operation: { trace_id: 'cs-2', commands: [call('echo', { ok: true })] } }),
    });

    // Assess
    expect(response.status).toBe(202);
    expect(readdirSync(join(storage, 'from-ssm')).length).toBeGreaterThan(0);
    expect(existsSync(join(storage, 'mcd'))).toBe(false);
    expect(fake.calls.map((c) => c.operation)).toEqual(['AmazonSSM.GetParametersByPath']);
  });
});
