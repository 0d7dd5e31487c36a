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
