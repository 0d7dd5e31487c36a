import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
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
