import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '@artemis/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { AsyncWork } from '../../src/async/async-dispatcher';
import { startTestAgent, type TestAgent } from '../../src/testing';
import {
  jobBody,
  jobConnector,
  pollUntilSettled,
  readStatus,
  SUBMIT_PATH,
  settledJobFiles,
  submit,
  tempStorage,
  testClock,
} from './support/async-fixtures';

/*
 * The async routes (SPEC §8, issue 12) on the real local server with FILESYSTEM storage and the in-process
 * dispatcher: submit → 202 → poll → the result, through the same execute path as the sync route.
 */
let storage: Awaited<ReturnType<typeof tempStorage>>;
let agent: TestAgent;
let jobs: ReturnType<typeof jobConnector>;

beforeAll(async () => {
  storage = await tempStorage();
  jobs = jobConnector();
  // A known port: FILESYSTEM pre-signed URLs point at the agent itself.
  agent = await startTestAgent(
    { MCD_STORAGE: 'FILESYSTEM', MCD_STORAGE_PATH: storage.path, PORT: String(await freePort()) },
    { connectors: jobs.catalog },
  );
});

afterAll(async () => {
  await agent?.close();
  await storage?.remove();
});

describe('submit and status', () => {
  it('accepts with 202 and the request id, then reads Completed with the envelope at top level', async () => {
    // Act
    const response = await agent.post(SUBMIT_PATH, jobBody('echo', [{ answer: 42 }], {}, 'trace-ok'));
    const accepted = (await response.json()) as { __mcd_request_id__: string };
    const status = await pollUntilSettled(agent, accepted.__mcd_request_id__);
    // Assess
    expect(response.status).toBe(202);
    expect(response.headers.get('x-mcd-trace-id')).toBe('trace-ok');
    expect(accepted).toEqual({
      __mcd_request_id__: expect.stringMatching(/^[0-9a-f-]{36}$/),
      __mcd_trace_id__: 'trace-ok',
    });
    expect(status).toEqual({
      __mcd_status__: 'Completed',
      __mcd_created__: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/),
      __mcd_last_updated__: expect.stringMatching(/\+00:00$/),
      __mcd_result__: { answer: 42 },
      __mcd_trace_id__: 'trace-ok',
    });
  });

  it('reads Completed with the error envelope when the operation fails', async () => {
    // Act
    const requestId = await submit(agent, jobBody('fail', [], {}, 'trace-fail'));
    const status = await pollUntilSettled(agent, requestId);
    // Assess
    expect(status).toMatchObject({
      __mcd_status__: 'Completed',
      __mcd_error__: 'the job failed',
      __mcd_exception__: 'RangeError: the job failed',
      __mcd_trace_id__: 'trace-fail',
    });
    expect(status.__mcd_result__).toBeUndefined();
  });

  it('answers a bad body with 400 at submission and stores nothing', async () => {
    // Prepare
    const before = await readdir(join(storage.path, 'mcd', 'async')).catch(() => []);
    // Act
    const response = await agent.post(SUBMIT_PATH, { operation: { trace_id: 'bad-1', commands: [{ method: 7 }] } });
    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get('x-mcd-trace-id')).toBe('bad-1');
    expect(await response.json()).toMatchObject({
      __mcd_error__: 'Invalid request: operation.commands.0.method: expected string, received number',
      __mcd_trace_id__: 'bad-1',
    });
    expect(await readdir(join(storage.path, 'mcd', 'async')).catch(() => [])).toEqual(before);
  });

  it('answers a callback_url that is not http(s) with 400', async () => {
    // Act
    const response = await agent.post(
      SUBMIT_PATH,
      jobBody('echo', [1], { callback_url: 'file:///etc/passwd' }, 'bad-2'),
    );
    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      __mcd_error__: 'Invalid request: operation.callback_url: expected an absolute http or https URL',
      __mcd_trace_id__: 'bad-2',
    });
  });

  it('answers callback_headers that the agent sets itself with 400', async () => {
    // Act
    const response = await agent.post(
      SUBMIT_PATH,
      jobBody('echo', [1], { callback_url: 'http://127.0.0.1:1/cb', callback_headers: { Host: 'x' } }, 'bad-3'),
    );
    // Assess
    expect(response.status).toBe(400);
    expect(((await response.json()) as { __mcd_error__: string }).__mcd_error__).toMatch(
      /^Invalid request: operation\.callback_headers/,
    );
  });

  it('reads an unknown id as "unknown" with null times', async () => {
    // Act
    const known = await readStatus(agent, '0190a0b0-0000-7000-8000-000000000000');
    const malformed = await readStatus(agent, '..%2F..%2Fetc');
    // Assess
    expect(known).toEqual({ __mcd_status__: 'unknown', __mcd_created__: null, __mcd_last_updated__: null });
    expect(malformed).toEqual({ __mcd_status__: 'unknown', __mcd_created__: null, __mcd_last_updated__: null });
  });

  it('serves a binary result through __mcd_result_location__', async () => {
    // Act
    const requestId = await submit(agent, jobBody('bytes', [], {}, 'trace-bin'));
    const status = await pollUntilSettled(agent, requestId);
    const download = await fetch(status.__mcd_result_location__ as string);
    // Assess
    expect(status).toMatchObject({ __mcd_status__: 'Completed', __mcd_trace_id__: 'trace-bin' });
    expect(Buffer.from(await download.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it('offloads a result the operation asks to offload (SPEC §4) and signs its URL on each read', async () => {
    // Act
    const requestId = await submit(agent, jobBody('echo', [{ rows: [1, 2, 3] }], { response_type: 'url' }, 't-url'));
    const status = await pollUntilSettled(agent, requestId);
    const download = await fetch(status.__mcd_result_location__ as string);
    // Assess
    expect(status).toMatchObject({ __mcd_status__: 'Completed', __mcd_trace_id__: 't-url' });
    expect(status.__mcd_result__).toBeUndefined();
    expect(await download.json()).toEqual({ rows: [1, 2, 3] });
  });

  it('keeps the trace id, operation name and request id on the worker log lines', async () => {
    // Act
    const requestId = await submit(agent, jobBody('echo', ['logged'], {}, 'trace-log'));
    await pollUntilSettled(agent, requestId);
    // Assess
    const workerLines = agent.logs.filter(
      (line) => line.msg === 'Async job Completed' && line.mcd_request_id === requestId,
    );
    expect(workerLines).toEqual([
      expect.objectContaining({
        mcd_trace_id: 'trace-log',
        mcd_operation_name: 'jobs/test-op',
        mcd_request_id: requestId,
      }),
    ]);
  });
});

describe('many submissions', () => {
  it('completes 100 concurrent submissions with no lost or duplicated record', async () => {
    // Prepare
    const values = Array.from({ length: 100 }, (_, index) => `concurrent-${index}`);
    // Act
    const ids = await Promise.all(
      values.map((value, index) => submit(agent, jobBody('echo', [value], {}, `c-${index}`))),
    );
    const statuses = await Promise.all(ids.map((id) => pollUntilSettled(agent, id)));
    // Assess
    expect(new Set(ids).size).toBe(100);
    expect(statuses.map((status) => [status.__mcd_status__, status.__mcd_result__])).toEqual(
      values.map((value) => ['Completed', value]),
    );
    expect(values.map((value) => jobs.calls.get(JSON.stringify(value)))).toEqual(values.map(() => 1));
    const stored = await Promise.all(ids.map((id) => settledJobFiles(join(storage.path, 'mcd', 'async', id))));
    // Each state is an object: a file and its FILESYSTEM metadata sidecar (storage/filesystem-sidecar.ts).
    const objects = stored.map((names) => names.filter((name) => !name.endsWith('.artemis-meta')));
    expect(objects).toEqual(ids.map(() => ['final.json', 'pending.json', 'running.json']));
    expect(stored.map((names) => names.length)).toEqual(ids.map(() => 6));
  });
});

describe('deadlines, with an injected clock', () => {
  const clock = testClock();
  const held: AsyncWork[] = [];
  let timed: TestAgent;
  let timedStorage: Awaited<ReturnType<typeof tempStorage>>;

  beforeAll(async () => {
    timedStorage = await tempStorage();
    timed = await startTestAgent(
      { MCD_STORAGE: 'FILESYSTEM', MCD_STORAGE_PATH: timedStorage.path },
      {
        connectors: jobs.catalog,
        clock: clock.now,
        // Holds the work instead of running it, so the test decides when (and whether) a worker starts.
        asyncDispatcher: { kind: 'held', dispatch: async (work) => void held.push(work) },
      },
    );
  });

  afterEach(() => {
    held.length = 0;
  });

  afterAll(async () => {
    await timed?.close();
    await timedStorage?.remove();
  });

  it('reads Failed with the timeout error past the deadline of a job whose worker never ended it', async () => {
    // Prepare
    const requestId = await submit(timed, jobBody('hold', [], {}, 'trace-held'));
    const work = held.shift() as AsyncWork;
    void timed.agent.runAsyncWork(work);
    const running = await pollUntilSettled(timed, requestId, ['Pending']);
    // Act
    clock.advance(885_000 + 1);
    const late = await readStatus(timed, requestId);
    // Assess
    expect(running.__mcd_status__).toBe('Running');
    expect(late).toEqual({
      __mcd_status__: 'Failed',
      __mcd_created__: running.__mcd_created__,
      __mcd_last_updated__: expect.stringMatching(/\+00:00$/),
      __mcd_error__: 'Activity timed out after 885 seconds.',
      __mcd_trace_id__: 'trace-held',
    });
  });

  it('does not run work that arrives after its deadline: Failed, "Activity expired"', async () => {
    // Prepare
    const requestId = await submit(timed, jobBody('echo', ['too late'], {}, 'trace-expired'));
    clock.advance(900_000);
    // Act
    await timed.agent.runAsyncWork(held.shift() as AsyncWork);
    const status = await readStatus(timed, requestId);
    // Assess
    expect(status).toMatchObject({
      __mcd_status__: 'Failed',
      __mcd_error__: 'Activity expired after 900.000 seconds.',
    });
    expect(jobs.calls.get(JSON.stringify('too late'))).toBeUndefined();
  });

  it('runs a job once when its work arrives twice', async () => {
    // Prepare
    const requestId = await submit(timed, jobBody('echo', ['twice'], {}, 'trace-twice'));
    const work = held.shift() as AsyncWork;
    // Act
    await Promise.all([timed.agent.runAsyncWork(work), timed.agent.runAsyncWork(work)]);
    await timed.agent.runAsyncWork(work);
    // Assess
    expect((await readStatus(timed, requestId)).__mcd_status__).toBe('Completed');
    expect(jobs.calls.get(JSON.stringify('twice'))).toBe(1);
  });
});

describe('closing the agent under a running job', () => {
  it('records the aborted operation as the job outcome before close resolves, and deletes the stored request', async () => {
    // Prepare
    const closingStorage = await tempStorage();
    const held: AsyncWork[] = [];
    const closing = await startTestAgent(
      { MCD_STORAGE: 'FILESYSTEM', MCD_STORAGE_PATH: closingStorage.path },
      { connectors: jobs.catalog, asyncDispatcher: { kind: 'held', dispatch: async (work) => void held.push(work) } },
    );
    try {
      const requestId = await submit(closing, jobBody('hold', [], {}, 'trace-closing'));
      const worker = closing.agent.runAsyncWork(held.shift() as AsyncWork);
      await pollUntilSettled(closing, requestId, ['Pending']);
      const jobFolder = join(closingStorage.path, 'mcd', 'async', requestId);
      // Act
      await closing.close();
      const files = (await readdir(jobFolder)).filter((name) => name.endsWith('.json')).sort();
      const final = JSON.parse(await readFile(join(jobFolder, 'final.json'), 'utf8')) as Record<string, unknown>;
      // Assess
      await expect(worker).resolves.toBeUndefined();
      expect(files).toEqual(['final.json', 'pending.json', 'running.json']);
      expect(final).toMatchObject({
        status: 'Completed',
        body: { __mcd_error__: 'Operation aborted: the agent is shutting down', __mcd_trace_id__: 'trace-closing' },
      });
    } finally {
      await closingStorage.remove();
    }
  });
});
