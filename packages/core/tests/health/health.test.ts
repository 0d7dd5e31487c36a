import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectFreeOfSecrets } from '../support/secret-leaks';
import { startTestAgent, type TestAgent } from '../support/test-agent';

describe('GET /api/v1/test/health', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startTestAgent();
  });
  afterAll(() => agent.close());

  it('answers the unwrapped health object with the trace id', async () => {
    // Act
    const response = await agent.get('/api/v1/test/health?trace_id=t-42');

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('x-mcd-trace-id')).toBe('t-42');
    await expect(response.json()).resolves.toMatchObject({
      platform: 'Generic',
      version: 'local',
      build: '0',
      trace_id: 't-42',
      env: { NODE_VERSION: process.version },
    });
  });
});

describe('health env (SPEC §6)', () => {
  it('shows runtime variables and MCD_* settings, never ones whose names look secret', async () => {
    // Prepare
    const env = {
      AWS_REGION: 'eu-west-1',
      K_SERVICE: 'artemis',
      MCD_STORAGE_BUCKET_NAME: 'bucket',
      MCD_AGENT_WRAPPER_TYPE: 'TERRAFORM',
      MCD_DB_PASSWORD: 'hunter2',
      MCD_API_TOKEN: 'tok',
      MCD_STORAGE_SECRET_KEY: 'sk',
      MCD_STORAGE_ACCESS_KEY: 'ak',
      MCD_SERVICE_CREDENTIALS: 'creds',
      MCD_PASSPHRASE: 'pp',
      MCD_ADDITIONAL_ENV_VARS: JSON.stringify({ HTTP_PROXY: 'http://proxy:3128', PROXY_PASSWORD: 'pw' }),
      UNRELATED: 'not shown',
    };
    const agent = await startTestAgent({}, { env });

    // Act
    const body = (await (await agent.get('/api/v1/test/health')).json()) as { env: Record<string, string> };
    await agent.close();

    // Assess
    expect(body.env).toEqual({
      NODE_VERSION: process.version,
      CPU_COUNT: expect.stringMatching(/^\d+$/),
      AWS_REGION: 'eu-west-1',
      K_SERVICE: 'artemis',
      MCD_STORAGE_BUCKET_NAME: 'bucket',
      MCD_AGENT_WRAPPER_TYPE: 'TERRAFORM',
      MCD_ADDITIONAL_ENV_VARS: JSON.stringify({ HTTP_PROXY: 'http://proxy:3128', PROXY_PASSWORD: '__redacted__' }),
    });
  });

  it.each([
    ['a URL password', 'postgres://u:secret-1@h/db', 'postgres://u:__redacted__@h/db'],
    [
      'a URL password holding unencoded @',
      'postgresql://app:p@ss-2@db:5432/x?sslmode=require',
      'postgresql://app:__redacted__@db:5432/x?sslmode=require',
    ],
    [
      'a libpq password, quoted or not',
      "host=db user=u password='secret 3' dbname=x sslpassword=secret-4",
      'host=db user=u password=__redacted__ dbname=x sslpassword=__redacted__',
    ],
    [
      'an ODBC PWD, spaces and braces included',
      'Driver={ODBC Driver 18};Server=tcp:h,1433;Uid=u;Pwd=secret 5;Encrypt=yes;PWD={se;cr}}et-6}',
      'Driver={ODBC Driver 18};Server=tcp:h,1433;Uid=u;Pwd=__redacted__;Encrypt=yes;PWD=__redacted__',
    ],
    [
      'a URL query parameter',
      'https://api.example.com/v1?user=u&access_token=secret-7&page=2',
      'https://api.example.com/v1?user=u&access_token=__redacted__&page=2',
    ],
    [
      "a JSON document's keys at any depth and the DSNs in its values",
      JSON.stringify({
        connections: [{ dsn: 'mysql://r:secret-8@h/d', options: { api_key: 'secret-9' } }],
        note: 'host=h password=secret-10',
      }),
      JSON.stringify({
        connections: [{ dsn: 'mysql://r:__redacted__@h/d', options: { api_key: '__redacted__' } }],
        note: 'host=h password=__redacted__',
      }),
    ],
    [
      'a JSON array',
      JSON.stringify([{ password: 'secret-11', host: 'h' }]),
      JSON.stringify([{ password: '__redacted__', host: 'h' }]),
    ],
  ])('redacts %s held in an innocently named MCD_* variable', async (_shape, value, shown) => {
    // Prepare
    const agent = await startTestAgent({}, { env: { MCD_SOMETHING: value } });

    // Act
    const body = (await (await agent.get('/api/v1/test/health?full=true')).json()) as { env: Record<string, string> };
    await agent.close();

    // Assess
    expect(body.env.MCD_SOMETHING).toBe(shown);
    expectFreeOfSecrets(body, ['secret', 'p@ss-2', 'se;cr']);
  });

  it('applies the same rules to each MCD_ADDITIONAL_ENV_VARS entry', async () => {
    // Prepare
    const additional = {
      DATABASE_URL: 'postgres://u:secret-a@h/db',
      DB_DOCUMENT: JSON.stringify({ connect: { password: 'secret-b', host: 'h' } }),
      ODBC: 'Server=h;PWD=secret-c;Database=d',
      API_TOKEN: 'secret-d',
      RETRIES: 3,
      PLAIN: 'visible',
    };
    const agent = await startTestAgent({}, { env: { MCD_ADDITIONAL_ENV_VARS: JSON.stringify(additional) } });

    // Act
    const body = (await (await agent.get('/api/v1/test/health')).json()) as { env: Record<string, string> };
    await agent.close();

    // Assess
    expect(JSON.parse(body.env.MCD_ADDITIONAL_ENV_VARS as string)).toEqual({
      DATABASE_URL: 'postgres://u:__redacted__@h/db',
      DB_DOCUMENT: JSON.stringify({ connect: { password: '__redacted__', host: 'h' } }),
      ODBC: 'Server=h;PWD=__redacted__;Database=d',
      API_TOKEN: '__redacted__',
      RETRIES: 3,
      PLAIN: 'visible',
    });
    expectFreeOfSecrets(body, ['secret-']);
  });

  it('marks an MCD_ADDITIONAL_ENV_VARS that is not a JSON object', async () => {
    // Prepare
    const agent = await startTestAgent({}, { env: { MCD_ADDITIONAL_ENV_VARS: '[1,2]' } });

    // Act
    const body = (await (await agent.post('/api/v1/test/health', { trace_id: 'p' })).json()) as Record<string, never>;
    await agent.close();

    // Assess
    expect(body).toMatchObject({
      trace_id: 'p',
      env: { MCD_ADDITIONAL_ENV_VARS: '<invalid: expected a JSON object>' },
    });
  });

  it('answers liveness on / and /health', async () => {
    // Prepare
    const agent = await startTestAgent();

    // Act
    const root = await agent.get('/');
    const health = await agent.get('/health');

    // Assess
    await expect(root.json()).resolves.toEqual({ status: 'up' });
    await expect(health.json()).resolves.toEqual({ status: 'up' });
    await agent.close();
  });
});

describe('the pre-encoded health answer', () => {
  it('answers every trace id shape with the same object the encoder makes, byte for byte in UTF-8', async () => {
    // Prepare: platform_info read anew on each check, a non-ASCII value in it and in a trace id.
    let region = 'eu-west-1';
    const agent = await startTestAgent({}, { platformInfo: () => ({ region, unset: undefined }) });

    // Act
    const untraced = await agent.get('/api/v1/test/health');
    const traced = await agent.get(`/api/v1/test/health?trace_id=${encodeURIComponent('t-ü"\\1')}`);
    const posted = await agent.post('/api/v1/test/health', { trace_id: 7 });
    region = 'Zürich';
    const changed = await agent.get('/api/v1/test/health');
    await agent.close();

    // Assess
    const base = { platform: 'Generic', version: 'local', build: '0' };
    await expect(untraced.json()).resolves.toEqual({
      ...base,
      env: expect.any(Object),
      platform_info: { region: 'eu-west-1', unset: null },
      agent_registration: expect.objectContaining({ api_version: '1.0.0' }),
    });
    expect(traced.headers.get('x-mcd-trace-id')).toBeNull();
    await expect(traced.json()).resolves.toMatchObject({ trace_id: 't-ü"\\1' });
    expect(posted.headers.get('x-mcd-trace-id')).toBe('7');
    await expect(posted.json()).resolves.toMatchObject({ trace_id: '7' });
    const text = await changed.text();
    expect(changed.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(changed.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(text)).toMatchObject({ platform_info: { region: 'Zürich', unset: null } });
  });
});
