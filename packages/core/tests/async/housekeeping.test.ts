import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AsyncWork } from '../../src/async/async-dispatcher';
import { startTestAgent, type TestAgent } from '../../src/testing';
import { jobBody, jobConnector, readStatus, submit, tempStorage, testClock } from './support/async-fixtures';

/*
 * POST /async/api/v1/cleanup and /async/api/v1/queue/info (issue 12, apollo-inventory §1.5) over jobs in storage,
 * with an injected clock and a dispatcher the test drives, so every job's age and state is chosen by the test.
 */
const MINUTE = 60_000;
const clock = testClock();
const held: AsyncWork[] = [];
let storage: Awaited<ReturnType<typeof tempStorage>>;
let agent: TestAgent;

async function post(path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await agent.post(path, body);
  return { status: response.status, body: await response.json() };
}

/** Submits a job at the current clock and, unless `start` is false, runs it to its end. */
async function job(value: string, start = true): Promise<string> {
  const id = await submit(agent, jobBody('echo', [value], {}, `hk-${value}`));
  const work = held.pop() as AsyncWork;
  if (start) await agent.agent.runAsyncWork(work);
  return id;
}

beforeAll(async () => {
  storage = await tempStorage();
  agent = await startTestAgent(
    { MCD_STORAGE: 'FILESYSTEM', MCD_STORAGE_PATH: storage.path, MCD_ASYNC_RETENTION_HOURS: '24' },
    {
      connectors: jobConnector().catalog,
      clock: clock.now,
      asyncDispatcher: { kind: 'held', dispatch: async (work) => void held.push(work) },
    },
  );
});

afterAll(async () => {
  await agent?.close();
  await storage?.remove();
});

describe('async housekeeping', () => {
  it('counts pending and completed jobs of the last day by default', async () => {
    // Prepare
    const old = await job('two-days-ago');
    clock.advance(2 * 24 * 60 * MINUTE);
    const done = await job('done');
    const waiting = await job('waiting', false);
    clock.advance(MINUTE);
    // Act
    const info = await post('/async/api/v1/queue/info', {});
    const since = await post('/async/api/v1/queue/info', { created_time_from: '2030-01-01' });
    // Assess
    expect(info).toEqual({ status: 200, body: { pending_instances: 1, completed_instances: 1 } });
    expect(since.body).toEqual({ pending_instances: 1, completed_instances: 2 });
    expect([old, done, waiting].every((id) => typeof id === 'string')).toBe(true);
  });

  it('removes ended jobs older than 10 minutes, terminates pending ones when asked, keeps the rest', async () => {
    // Prepare: the previous test's pending job passes its deadline (it now reads Failed); one job waits within its
    // deadline but 12 minutes old; one has just completed.
    clock.advance(15 * MINUTE);
    await job('pending-within-deadline', false);
    clock.advance(12 * MINUTE);
    const recent = await job('recent');
    // Act
    const first = await post('/async/api/v1/cleanup', {});
    const kept = await readdir(join(storage.path, 'mcd', 'async'));
    const second = await post('/async/api/v1/cleanup', { include_pending: true });
    // Assess: the first call removes the three ended jobs; the pending one and the recent one stay.
    expect(first).toEqual({ status: 200, body: { deleted_instances: 3 } });
    expect(kept).toHaveLength(2);
    expect(kept).toContain(recent);
    expect(second.body).toEqual({ deleted_instances: 1 });
    const statuses = await Promise.all(kept.map((id) => readStatus(agent, id)));
    expect(statuses.map((status) => status.__mcd_status__).sort()).toEqual(['Completed', 'Terminated']);
    expect(statuses.find((status) => status.__mcd_status__ === 'Terminated')).toMatchObject({
      __mcd_error__: 'Terminated by cleanup before it started.',
    });
  });

  it('removes jobs past MCD_ASYNC_RETENTION_HOURS whatever the range asked', async () => {
    // Prepare
    const stale = await job('stale', false);
    clock.advance(25 * 60 * MINUTE);
    // Act
    const result = await post('/async/api/v1/cleanup', { created_time_to: '2000-01-01T00:00:00Z' });
    // Assess
    // The Terminated job, the recent one and the stale one: all older than 24 h now.
    expect(result.body).toEqual({ deleted_instances: 3 });
    expect((await readStatus(agent, stale)).__mcd_status__).toBe('unknown');
  });

  it('answers a malformed time with 400', async () => {
    // Act
    const result = await post('/async/api/v1/cleanup', { created_time_from: 'yesterday' });
    // Assess
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({
      __mcd_error__: 'Invalid request: created_time_from: expected an ISO-8601 time',
    });
  });
});
