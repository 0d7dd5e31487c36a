import { Readable } from 'node:stream';
import type { Agent, AgentRequest, AgentResponse } from '@artemis/core';
import { call, fixtureOperation, lambdaContext } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLambdaHandler } from '../../src/handler';
import { fixtureEvent } from '../support/events';
import { lambdaAgent } from '../support/lambda-agent';

let agent: Agent;
let logs: object[];

beforeAll(async () => {
  ({ agent, logs } = await lambdaAgent());
});
afterAll(() => agent.close());

function executeEvent(body: Buffer) {
  const event = fixtureEvent('apigw-v2-http-api');
  const context = event.requestContext as Record<string, unknown>;
  return {
    ...event,
    rawPath: '/api/v1/agent/execute/fixture/big',
    headers: { 'content-type': 'application/json' },
    requestContext: { ...context, http: { ...(context.http as object), method: 'POST' } },
    body: body.toString('utf8'),
  };
}

describe('createLambdaHandler', () => {
  it('lets the core offload a result past the 6 MB guard instead of returning an oversized result', async () => {
    // Prepare: a 5 MB result, under Lambda's 6 MB but over the base64-aware limit handed to the core
    const handler = createLambdaHandler(agent);
    const event = executeEvent(fixtureOperation([call('repeat', 'x', 5_000_000)]));
    // Act
    const result = await handler(event, lambdaContext());
    // Assess: the envelope went to storage (FILESYSTEM here) and the answer is its location
    expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThan(10_000);
    expect(result.statusCode).toBe(200);
    const body = JSON.parse(result.body);
    expect(body).toEqual({ __mcd_result_location__: expect.any(String), __mcd_trace_id__: 'trace-1' });
  });

  it('answers a streamed body that cannot fit with a ResponseTooLarge envelope', async () => {
    // Prepare: an agent whose answer is a 6 MB stream
    const streaming = {
      ...agent,
      handle: async (_request: AgentRequest): Promise<AgentResponse> => ({
        status: 200,
        headers: { 'content-type': 'application/octet-stream', 'x-mcd-trace-id': 't-stream' },
        body: Readable.from([Buffer.alloc(3_000_000), Buffer.alloc(3_000_000)]),
      }),
    };
    const handler = createLambdaHandler(streaming);
    // Act
    const result = await handler(fixtureEvent('function-url'));
    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers).toEqual({ 'x-mcd-trace-id': 't-stream', 'content-type': 'application/json' });
    const { __mcd_stack_trace__, ...envelope } = JSON.parse(result.body);
    expect(envelope).toEqual({
      __mcd_error__: `The response exceeds the runtime's limit of 6291556 bytes; ask for response_type "url"`,
      __mcd_exception__: `ResponseTooLargeError: The response exceeds the runtime's limit of 6291556 bytes; ask for response_type "url"`,
      __mcd_error_type__: 'ResponseTooLarge',
      __mcd_trace_id__: 't-stream',
    });
  });

  it('sends a streamed body that fits as base64', async () => {
    // Prepare
    const streaming = {
      ...agent,
      handle: async (): Promise<AgentResponse> => ({
        status: 200,
        headers: { 'content-type': 'application/octet-stream' },
        body: Readable.from([Buffer.from([1, 2]), Buffer.from([3])]),
      }),
    };
    // Act
    const result = await createLambdaHandler(streaming)(fixtureEvent('function-url'));
    // Assess
    expect(result).toMatchObject({ body: Buffer.from([1, 2, 3]).toString('base64'), isBase64Encoded: true });
  });

  it('answers a hand-made event with fields of the wrong type with a 400 envelope', async () => {
    // Prepare: requestContext.http without a method
    const event = { rawPath: '/api/v1/test/health', requestContext: { http: {} } };
    // Act
    const result = await createLambdaHandler(agent)(event);
    // Assess
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).__mcd_exception__).toMatch(/^BadRequestError: Malformed Lambda event: /);
  });

  it('logs with the invocation request id', async () => {
    // Prepare
    const before = logs.length;
    const event = executeEvent(fixtureOperation([call('echo', 1)]));
    // Act
    await createLambdaHandler(agent)(event, lambdaContext('req-42'));
    // Assess
    expect(logs.slice(before)).toContainEqual(
      expect.objectContaining({ aws_request_id: 'req-42', mcd_trace_id: 'trace-1' }),
    );
  });
});
