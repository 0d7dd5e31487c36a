import { join } from 'node:path';
import {
  buildForTest,
  call,
  fetchAnswer,
  fixtureEnv,
  NON_UTF8_BYTES,
  type StartedProcess,
  startEmulator,
} from '@artemis/testkit';
import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

/*
 * End to end: the BUILT Lambda bundle (in a temp folder with no node_modules above it) behind scripts/lambda-local,
 * called through the real @aws-sdk/client-lambda InvokeCommand and over HTTP.
 */
let bundle: Awaited<ReturnType<typeof buildForTest>>;
let emulator: StartedProcess;
let client: LambdaClient;

beforeAll(async () => {
  bundle = await buildForTest('lambda');
  emulator = await startEmulator('lambda-local', join(bundle.dir, 'lambda/index.mjs'), fixtureEnv());
  client = new LambdaClient({
    endpoint: emulator.ready,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}, 180_000); // building the bundle on a loaded machine: the hook's time is not what is tested

afterAll(async () => {
  client?.destroy();
  await emulator?.stop();
  await bundle?.remove();
});

function payloadOf(output: { Payload?: Uint8Array }): {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
} {
  return JSON.parse(Buffer.from(output.Payload ?? []).toString('utf8'));
}

describe('scripts/lambda-local with the built bundle', () => {
  it('answers the seed README health payload through InvokeCommand', async () => {
    // Prepare
    const payload = {
      path: '/api/v1/test/health',
      httpMethod: 'GET',
      queryStringParameters: { trace_id: '1234', full: false },
    };
    // Act
    const output = await client.send(new InvokeCommand({ FunctionName: 'artemis', Payload: JSON.stringify(payload) }));
    // Assess
    expect(output.StatusCode).toBe(200);
    expect(output.FunctionError).toBeUndefined();
    const result = payloadOf(output);
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ platform: 'AWS', version: '9.9.9', build: '42', trace_id: '1234' });
  });

  it('runs an operation through InvokeCommand (a direct invoke with an object body)', async () => {
    // Prepare
    const payload = {
      path: '/api/v1/agent/execute/fixture/echo',
      httpMethod: 'POST',
      body: { operation: { trace_id: 'e2e-1', commands: [call('echo', { ok: true })] } },
    };
    // Act
    const output = await client.send(new InvokeCommand({ FunctionName: 'artemis', Payload: JSON.stringify(payload) }));
    // Assess
    const result = payloadOf(output);
    expect(result.statusCode).toBe(200);
    expect(result.headers['x-mcd-trace-id']).toBe('e2e-1');
    expect(JSON.parse(result.body)).toEqual({ __mcd_result__: { ok: true }, __mcd_trace_id__: 'e2e-1' });
  });

  it('accepts an Event invocation with 202', async () => {
    // Act
    const output = await client.send(
      new InvokeCommand({
        FunctionName: 'artemis',
        InvocationType: 'Event',
        Payload: JSON.stringify({ path: '/health' }),
      }),
    );
    // Assess
    expect(output.StatusCode).toBe(202);
  });

  it('refuses an unknown function the way Lambda does', async () => {
    // Act
    const sent = client.send(new InvokeCommand({ FunctionName: 'not-artemis', Payload: '{}' }));
    // Assess
    await expect(sent).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('serves curl-style HTTP through the API-Gateway front, binary results included', async () => {
    // Prepare
    const body = Buffer.from(
      JSON.stringify({
        operation: {
          trace_id: 'e2e-2',
          commands: [call('echo', { __type__: 'bytes', __data__: NON_UTF8_BYTES.toString('base64') })],
        },
      }),
    );
    // Act
    const health = await fetchAnswer(emulator.ready, {
      method: 'GET',
      path: '/api/v1/test/health',
      query: { trace_id: 'h' },
    });
    const binary = await fetchAnswer(emulator.ready, {
      method: 'POST',
      path: '/api/v1/agent/execute/fixture/bytes',
      headers: { 'content-type': 'application/json' },
      body,
    });
    // Assess
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body.toString('utf8'))).toMatchObject({ platform: 'AWS', trace_id: 'h' });
    expect(binary.headers['content-type']).toBe('application/octet-stream');
    expect(binary.body.equals(NON_UTF8_BYTES)).toBe(true);
  });
});
