import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AsyncWork, asyncWorkEvent, createAgent, createLogger, loadConfig } from '@artemis/core/runtime';
import { call, FIXTURE_CONNECTOR_MODULE } from '@artemis/testkit';
import { InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createAzureHandler } from '../../src/azure-handler';
import { createQueueHandlers, POISON_REASON } from '../../src/azure-queue';
import { azureCall } from '../support/azure-call';

/*
 * The queue-triggered functions with real @azure/functions InvocationContexts (issue 12): a message the host gave up
 * on (moved to the poison queue) ends its job Failed; a message that is not async work fails, so the host retries.
 */
let storage: string;
const held: AsyncWork[] = [];
let agent: ReturnType<typeof createAgent>;

beforeAll(async () => {
  storage = await mkdtemp(join(tmpdir(), 'artemis-azure-queue-'));
  const config = loadConfig({
    MCD_STORAGE: 'FILESYSTEM',
    MCD_STORAGE_PATH: storage,
    MCD_CONNECTOR_MODULES: FIXTURE_CONNECTOR_MODULE,
  });
  // The work is held, as on a queue whose trigger keeps failing.
  agent = createAgent({
    config,
    platform: 'Azure',
    logger: createLogger('silent'),
    asyncDispatcher: { kind: 'held', dispatch: async (work) => void held.push(work) },
  });
  await agent.ready();
});

afterAll(async () => {
  await agent?.close();
  await rm(storage, { recursive: true, force: true });
});

const context = (functionName: string) =>
  new InvocationContext({ invocationId: 'i-1', functionName, logHandler: () => undefined });

async function status(id: string): Promise<Record<string, unknown>> {
  const answer = await azureCall(createAzureHandler(agent), { method: 'GET', path: `/async/api/v1/status/${id}` });
  return JSON.parse(answer.body.toString('utf8'));
}

describe('the async queue functions', () => {
  it('ends the job of a poison message Failed, once', async () => {
    // Prepare
    const body = Buffer.from(JSON.stringify({ operation: { trace_id: 'poison-1', commands: [call('echo', 1)] } }));
    const submitted = await azureCall(createAzureHandler(agent), {
      method: 'POST',
      path: '/async/api/v1/agent/execute/fixture/op',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const id = JSON.parse(submitted.body.toString('utf8')).__mcd_request_id__ as string;
    const message = asyncWorkEvent(held.pop() as AsyncWork);
    const { work, poison } = createQueueHandlers(agent);
    // Act
    await poison(message, context('artemis-async-poison'));
    await work(JSON.stringify(message), context('artemis-async'));
    // Assess: Failed with the reason, and the redelivered work does not run it after all.
    expect(submitted.status).toBe(202);
    expect(await status(id)).toMatchObject({ __mcd_status__: 'Failed', __mcd_error__: POISON_REASON });
  });

  it('fails a message that is not async work, so the host retries it and finally poisons it', async () => {
    // Act
    const { work, poison } = createQueueHandlers(agent);
    const run = work('hello', context('artemis-async'));
    // Assess
    await expect(run).rejects.toThrow('Not an async work message');
    await expect(poison('hello', context('artemis-async-poison'))).resolves.toBeUndefined();
  });
});
