import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { operation, SAMPLE_PLUGIN, startTestAgent, type TestAgent } from '../support/test-agent';

type Json = Record<string, unknown>;

/** Hostile input gets its envelope and the server keeps serving (issue 2, "Done means"). */
describe('hostile input', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startTestAgent({ MCD_CONNECTOR_MODULES: SAMPLE_PLUGIN, MCD_LOG_LEVEL: 'error' });
  });
  afterAll(() => agent.close());

  const execute = '/api/v1/agent/execute/sample/op';
  const stillServing = async () => {
    const response = await agent.get('/api/v1/test/health');
    expect(response.status).toBe(200);
    await response.arrayBuffer();
  };

  it.each([
    ['malformed JSON', '{"operation": {', /^Malformed JSON in request body at position 15$/],
    ['malformed JSON around a secret', '{"password": hunter2}', /^Malformed JSON in request body$/],
    ['an empty body', '', /^Malformed JSON in request body$/],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), /^Request body is not valid UTF-8$/],
    ['JSON nested 10 000 deep', `${'['.repeat(10_000)}${']'.repeat(10_000)}`, /^JSON nesting exceeds 256 levels$/],
    [
      'a next chain nested 10 000 deep',
      `{"operation":{"trace_id":"t","commands":[${'{"method":"a","next":'.repeat(10_000)}null${'}'.repeat(10_000)}]}}`,
      /^JSON nesting exceeds 256 levels$/,
    ],
  ])('answers 400 to %s', async (_what, body, message) => {
    // Act
    const response = await agent.post(execute, body);

    // Assess
    expect(response.status).toBe(400);
    const envelope = (await response.json()) as Json;
    expect(envelope.__mcd_error__).toMatch(message);
    expect(envelope.__mcd_exception__).toMatch(/^BadRequestError: /);
    await stillServing();
  });

  it('answers 413 to a 100 MB body with a content-length, without reading it', async () => {
    // Prepare
    const body = Buffer.alloc(100 * 1024 * 1024, 0x20);

    // Act
    const response = await rawPost(agent.url, execute, body, true);

    // Assess
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({
      __mcd_error__: 'Request body exceeds the limit of 33554432 bytes',
      __mcd_exception__: 'PayloadTooLargeError: Request body exceeds the limit of 33554432 bytes',
    });
    await stillServing();
  });

  it('answers 413 to a 100 MB chunked body once it passes the limit', async () => {
    // Act
    const response = await rawPost(agent.url, execute, Buffer.alloc(100 * 1024 * 1024, 0x20), false);

    // Assess
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({
      __mcd_error__: 'Request body exceeds the limit of 33554432 bytes',
    });
    await stillServing();
  });

  it('echoes a trace id with control characters in the body only, never as a header', async () => {
    // Act
    const response = await agent.post(execute, operation([{ method: 'value', args: [1] }], {}, undefined));
    const hostile = await agent.post(execute, {
      operation: { trace_id: 'a\r\nx-injected: yes', commands: [{ method: 'value', args: [1] }] },
    });

    // Assess
    expect(response.headers.get('x-mcd-trace-id')).toBe('trace-1');
    expect(hostile.status).toBe(200);
    expect(hostile.headers.get('x-mcd-trace-id')).toBeNull();
    expect(hostile.headers.get('x-injected')).toBeNull();
    await expect(hostile.json()).resolves.toEqual({ __mcd_result__: 1, __mcd_trace_id__: 'a\r\nx-injected: yes' });
  });

  it('answers JSON 404 and 405 envelopes, echoing a query trace id', async () => {
    // Act
    const missing = await agent.get('/api/v2/nothing?trace_id=q1');
    const wrongMethod = await agent.get('/api/v1/agent/execute/sample/op?trace_id=q2');

    // Assess
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/json');
    await expect(missing.json()).resolves.toMatchObject({
      __mcd_error__: 'No route for GET /api/v2/nothing',
      __mcd_error_type__: 'NotFound',
      __mcd_trace_id__: 'q1',
    });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    await expect(wrongMethod.json()).resolves.toMatchObject({
      __mcd_error__: 'Method GET is not allowed for /api/v1/agent/execute/sample/op; allowed: POST',
      __mcd_trace_id__: 'q2',
    });
  });

  it('answers 400 to malformed percent-encoding in the path', async () => {
    // Act
    const response = await agent.post('/api/v1/agent/execute/%E0%A4%A/op', operation([]));

    // Assess
    expect(response.status).toBe(400);
    await expect(response.json()).resolves.toMatchObject({
      __mcd_error__: 'Malformed percent-encoding in path segment: %E0%A4%A',
    });
  });

  it('answers 400 to a POST health check whose body is not a JSON object', async () => {
    // Act
    const response = await agent.post('/api/v1/test/health', '"just a string"');

    // Assess
    expect(response.status).toBe(400);
    await expect(response.json()).resolves.toMatchObject({ __mcd_error__: 'Request body must be a JSON object' });
  });

  it('answers 1 000 concurrent requests, each with its own envelope and trace id', async () => {
    // Prepare
    const requests = Array.from({ length: 1000 }, (_, i) =>
      i % 2 === 0
        ? agent.post(execute, { operation: { trace_id: `c${i}`, commands: [{ method: 'later', args: [i] }] } })
        : agent.post(execute, `{"operation": {"trace_id": "c${i}"`),
    );

    // Act
    const responses = await Promise.all(
      requests.map(async (pending) => {
        const response = await pending;
        return { status: response.status, body: (await response.json()) as Json };
      }),
    );

    // Assess
    responses.forEach((response, i) => {
      if (i % 2 === 0)
        expect(response).toEqual({ status: 200, body: { __mcd_result__: i, __mcd_trace_id__: `c${i}` } });
      else expect(response.status).toBe(400);
    });
    await stillServing();
  });
});

/** A raw node:http POST, so a body can be sent with or without a content-length. */
function rawPost(
  base: string,
  path: string,
  body: Buffer,
  withLength: boolean,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, {
      method: 'POST',
      headers: withLength ? { 'content-length': body.length } : { 'transfer-encoding': 'chunked' },
    });
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    // The server may close the connection once it has answered; that is the point, not a failure.
    req.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
    );
    const chunkSize = 1024 * 1024;
    for (let offset = 0; offset < body.length; offset += chunkSize)
      req.write(body.subarray(offset, offset + chunkSize));
    req.end();
  });
}
