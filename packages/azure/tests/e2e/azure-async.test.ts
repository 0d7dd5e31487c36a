import { join } from 'node:path';
import { buildForTest, call, fixtureEnv, type StartedProcess, startEmulator } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { azuriteQueueEnv, startAzuriteQueue } from '../support/azurite-queue';

/*
 * Async operations end to end on the BUILT Functions app behind scripts/azure-local (issue 12): the submit route puts
 * the work on a storage queue in Azurite's queue service, and the app's queue-triggered function (driven by the
 * emulator as the host would) runs it. Job state is in FILESYSTEM storage here; every backend is covered in core.
 */
let bundle: Awaited<ReturnType<typeof buildForTest>>;
let azurite: Awaited<ReturnType<typeof startAzuriteQueue>>;
let emulator: StartedProcess;
let shortDeadline: StartedProcess;

beforeAll(async () => {
  [bundle, azurite] = await Promise.all([buildForTest('azure'), startAzuriteQueue()]);
  const entry = join(bundle.dir, 'azure/index.mjs');
  // MCD_STORAGE stays FILESYSTEM for the job state; the storage account settings name the queue's account.
  [emulator, shortDeadline] = await Promise.all([
    startEmulator(
      'azure-local',
      entry,
      fixtureEnv({
        MCD_STORAGE_PATH: join(bundle.dir, 'storage-a'),
        MCD_LOG_LEVEL: 'info',
        ...azuriteQueueEnv(azurite.url, 'work-a'),
      }),
    ),
    startEmulator(
      'azure-local',
      entry,
      fixtureEnv({
        MCD_STORAGE_PATH: join(bundle.dir, 'storage-b'),
        MCD_ASYNC_TIMEOUT_SECONDS: '3',
        ...azuriteQueueEnv(azurite.url, 'work-b'),
      }),
    ),
  ]);
}, 120_000);

afterAll(async () => {
  await emulator?.stop();
  await shortDeadline?.stop();
  await azurite?.stop();
  await bundle?.remove();
});

async function submitAndPoll(target: StartedProcess, commands: unknown[], traceId: string) {
  const submitted = await fetch(`${target.ready}/async/api/v1/agent/execute/fixture/e2e`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ operation: { trace_id: traceId, commands } }),
  });
  const accepted = { status: submitted.status, body: (await submitted.json()) as Record<string, unknown> };
  for (let attempt = 0; attempt < 1500; attempt++) {
    const response = await fetch(`${target.ready}/async/api/v1/status/${accepted.body.__mcd_request_id__}`);
    const status = (await response.json()) as Record<string, unknown>;
    if (!['Pending', 'Running'].includes(status.__mcd_status__ as string)) return { accepted, status };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('job never ended');
}

describe('async operations on scripts/azure-local with an Azurite queue', () => {
  it('submits (202), runs through the queue-triggered function, and reads Completed with the result', async () => {
    // Act
    const { accepted, status } = await submitAndPoll(emulator, [call('echo', { from: 'azure' })], 'azure-async-1');
    // Assess
    expect(accepted.status).toBe(202);
    expect(status).toMatchObject({
      __mcd_status__: 'Completed',
      __mcd_result__: { from: 'azure' },
      __mcd_trace_id__: 'azure-async-1',
    });
    // Dispatched through the queue, and run by the queue-triggered function's invocation.
    expect(emulator.stdout()).toContain('"dispatcher":"azure-queue"');
    expect(emulator.stdout()).toMatch(/\[information\] \{[^\n]*"msg":"Async job Completed"/);
  });

  it('reads Completed with the error envelope when the operation fails', async () => {
    // Act
    const { status } = await submitAndPoll(emulator, [call('no_such_method')], 'azure-async-2');
    // Assess
    expect(status).toMatchObject({ __mcd_status__: 'Completed', __mcd_trace_id__: 'azure-async-2' });
    expect(status.__mcd_error__).toEqual(expect.stringContaining('no_such_method'));
  });

  it('reads Failed with the timeout error once a job outlives its deadline', async () => {
    // Act
    const { status } = await submitAndPoll(shortDeadline, [call('sleep', 600_000)], 'azure-async-3');
    // Assess
    expect(status).toMatchObject({
      __mcd_status__: 'Failed',
      __mcd_error__: 'Activity timed out after 3 seconds.',
      __mcd_trace_id__: 'azure-async-3',
    });
  });
});
