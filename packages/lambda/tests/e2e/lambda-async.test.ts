import { join } from 'node:path';
import { buildForTest, call, fixtureEnv, type StartedProcess, startEmulator } from '@artemis/testkit';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

/*
 * Async operations end to end on the BUILT Lambda bundle behind scripts/lambda-local (issue 12): the submit route's
 * self-invocation goes out through the real @aws-sdk/client-lambda with InvocationType Event, reaches the emulator's
 * Invoke API, and the handler runs the work event; the control plane polls through direct invokes.
 */
let bundle: Awaited<ReturnType<typeof buildForTest>>;
let emulator: StartedProcess;
let shortDeadline: StartedProcess;

beforeAll(async () => {
  bundle = await buildForTest('lambda');
  const entry = join(bundle.dir, 'lambda/index.mjs');
  [emulator, shortDeadline] = await Promise.all([
    startEmulator('lambda-local', entry, fixtureEnv({ MCD_STORAGE_PATH: join(bundle.dir, 'storage-a') })),
    startEmulator(
      'lambda-local',
      entry,
      fixtureEnv({ MCD_STORAGE_PATH: join(bundle.dir, 'storage-b'), MCD_ASYNC_TIMEOUT_SECONDS: '3' }),
    ),
  ]);
}, 120_000);

afterAll(async () => {
  await emulator?.stop();
  await shortDeadline?.stop();
  await bundle?.remove();
});

/** A direct invoke in the seed README's shape; the API Gateway v1 answer, its body parsed. */
async function invoke(target: StartedProcess, path: string, httpMethod: string, body?: unknown) {
  const client = new LambdaClient({
    endpoint: target.ready,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const output = await client.send(
      new InvokeCommand({ FunctionName: 'artemis', Payload: JSON.stringify({ path, httpMethod, body }) }),
    );
    const result = JSON.parse(Buffer.from(output.Payload ?? []).toString('utf8')) as {
      statusCode: number;
      body: string;
    };
    return { status: result.statusCode, body: JSON.parse(result.body) as Record<string, unknown> };
  } finally {
    client.destroy();
  }
}

async function submitAndPoll(target: StartedProcess, commands: unknown[], traceId: string) {
  const accepted = await invoke(target, '/async/api/v1/agent/execute/fixture/e2e', 'POST', {
    operation: { trace_id: traceId, commands },
  });
  const id = accepted.body.__mcd_request_id__ as string;
  for (let attempt = 0; attempt < 1500; attempt++) {
    const status = await invoke(target, `/async/api/v1/status/${id}`, 'GET');
    if (!['Pending', 'Running'].includes(status.body.__mcd_status__ as string)) return { accepted, status };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`job ${id} never ended`);
}

describe('async operations on scripts/lambda-local', () => {
  it('submits (202), runs through the Event self-invocation, and reads Completed with the result', async () => {
    // Act
    const { accepted, status } = await submitAndPoll(emulator, [call('echo', { from: 'lambda' })], 'lambda-async-1');
    // Assess
    expect(accepted.status).toBe(202);
    expect(status.body).toMatchObject({
      __mcd_status__: 'Completed',
      __mcd_result__: { from: 'lambda' },
      __mcd_trace_id__: 'lambda-async-1',
    });
  });

  it('reads Completed with the error envelope when the operation fails', async () => {
    // Act
    const { status } = await submitAndPoll(emulator, [call('no_such_method')], 'lambda-async-2');
    // Assess
    expect(status.body).toMatchObject({ __mcd_status__: 'Completed', __mcd_trace_id__: 'lambda-async-2' });
    expect(status.body.__mcd_error__).toEqual(expect.stringContaining('no_such_method'));
  });

  it('reads Failed with the timeout error once a job outlives its deadline', async () => {
    // Act
    const { status } = await submitAndPoll(shortDeadline, [call('sleep', 600_000)], 'lambda-async-3');
    // Assess
    expect(status.body).toMatchObject({
      __mcd_status__: 'Failed',
      __mcd_error__: 'Activity timed out after 3 seconds.',
      __mcd_trace_id__: 'lambda-async-3',
    });
  });
});
