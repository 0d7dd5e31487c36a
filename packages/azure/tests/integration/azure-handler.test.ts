import { type Agent, loadConfig } from '@artemis/core';
import { adapterCases, call, fixtureEnv, fixtureOperation } from '@artemis/testkit';
import { HttpRequest, HttpResponse } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type AzureHttpHandler,
  createAzureHandler,
  fromHttpRequest,
  toHttpResponseInit,
} from '../../src/azure-handler';
import { createAzureAgent } from '../../src/create-azure-agent';
import { azureCall, type HostLog } from '../support/azure-call';

let agent: Agent;
let handler: AzureHttpHandler;

beforeAll(async () => {
  agent = createAzureAgent(loadConfig(fixtureEnv({ MCD_LOG_LEVEL: 'info' })));
  await agent.ready();
  handler = createAzureHandler(agent);
});
afterAll(() => agent.close());

describe('Azure handler with HttpRequest and InvocationContext', () => {
  it.each(adapterCases('Azure').map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    // Act
    const answer = await azureCall(handler, testCase.call);
    // Assess
    testCase.check(answer);
  });

  it('logs through the invocation context, never the function key', async () => {
    // Prepare
    const logs: HostLog[] = [];
    const body = fixtureOperation([call('echo', 1)]);
    // Act
    await azureCall(handler, { method: 'POST', path: '/api/v1/agent/execute/fixture/echo', body }, logs);
    // Assess
    expect(logs).toHaveLength(1);
    expect(logs[0]?.level).toBe('information');
    const record = JSON.parse(String(logs[0]?.args[0]));
    expect(record).toMatchObject({ level: 'info', msg: 'Executing operation: fixture/echo', mcd_trace_id: 'trace-1' });
    expect(JSON.stringify(logs)).not.toContain('function-key');
  });

  it("hands the core the host's headers, lower-cased and read only when asked for", async () => {
    // Prepare
    const request = new HttpRequest({
      method: 'POST',
      url: 'http://localhost:7071/api/v1/agent/execute/fixture/echo?code=function-key',
      headers: { 'X-Custom': 'a', 'Content-Type': 'application/json' },
      body: { string: '{}' },
    });

    // Act
    const agentRequest = await fromHttpRequest(request);

    // Assess
    expect(agentRequest).toMatchObject({ method: 'POST', path: '/api/v1/agent/execute/fixture/echo', query: {} });
    expect({ ...agentRequest.headers }).toEqual({ 'x-custom': 'a', 'content-type': 'application/json' });
    expect(agentRequest.headers).toBe(agentRequest.headers);
    expect(agentRequest.body.toString('utf8')).toBe('{}');
  });

  it('keeps repeated query keys apart (the host would have comma-joined them)', async () => {
    // Act
    const answer = await azureCall(handler, {
      method: 'GET',
      path: '/api/v1/test/health',
      query: { trace_id: ['a,b', 'c'] },
    });
    // Assess
    expect(JSON.parse(answer.body.toString('utf8')).trace_id).toBe('a,b');
  });

  it('types untyped bytes application/octet-stream, as every other runtime does', async () => {
    // Act: the core's wire rule, read back through the library's own HttpResponse as the host does
    const response = new HttpResponse(toHttpResponseInit({ status: 200, headers: {}, body: Buffer.from([0, 255]) }));

    // Assess
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect([...Buffer.from(await response.arrayBuffer())]).toEqual([0, 255]);
  });
});
