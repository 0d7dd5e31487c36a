import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectorCatalog } from '../../../src/connectors/proxy-client';
import type { TestAgent } from '../../../src/testing';

/**
 * A connector for async tests: `echo` counts its calls per value (so a job run twice shows), `hold` never answers
 * (a job that outlives its deadline), `fail` throws (an operation that fails), `bytes` is a binary result.
 */
export function jobConnector() {
  const calls = new Map<string, number>();
  const catalog: ConnectorCatalog = {
    jobs: async () => ({
      create: () => ({
        extensions: {
          echo: (value: unknown) => {
            const key = JSON.stringify(value);
            calls.set(key, (calls.get(key) ?? 0) + 1);
            return value;
          },
          hold: () => new Promise(() => undefined),
          fail: () => {
            throw new RangeError('the job failed');
          },
          bytes: () => Buffer.from([0, 1, 2, 255]),
        },
      }),
    }),
  };
  return { catalog, calls };
}

export const SUBMIT_PATH = '/async/api/v1/agent/execute/jobs/test-op';

export function jobBody(method: string, args: unknown[] = [], extra: Record<string, unknown> = {}, traceId = 't-1') {
  return { credentials: {}, operation: { trace_id: traceId, commands: [{ method, args }], ...extra } };
}

/** A settable clock for job times and deadlines. */
export function testClock(start = Date.parse('2030-01-01T00:00:00Z')) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/**
 * A FILESYSTEM storage root for one suite. `agent.close()` waits for operation jobs to record their outcome, but not
 * for jobs of a kind (a delivery stops at its own deadline), so one may still be writing while the root is removed:
 * rm retries on ENOTEMPTY.
 */
export async function tempStorage(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'artemis-async-'));
  return { path, remove: () => rm(path, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }) };
}

export type StatusBody = Record<string, unknown> & { __mcd_status__: string };

export async function readStatus(agent: Pick<TestAgent, 'get'>, requestId: string): Promise<StatusBody> {
  const response = await agent.get(`/async/api/v1/status/${requestId}`);
  return (await response.json()) as StatusBody;
}

/**
 * Polls the status route until the job leaves `waitingFor` (Pending and Running unless told): the outcome is
 * asserted, never the time it took. Bounded, so a job that never ends fails the test instead of hanging it.
 */
export async function pollUntilSettled(
  agent: Pick<TestAgent, 'get'>,
  requestId: string,
  waitingFor: readonly string[] = ['Pending', 'Running'],
): Promise<StatusBody> {
  for (let attempt = 0; attempt < 1500; attempt++) {
    const status = await readStatus(agent, requestId);
    if (!waitingFor.includes(status.__mcd_status__)) return status;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`job ${requestId} still ${waitingFor.join('/')} after 1500 polls`);
}

/**
 * The files a job leaves in storage once its worker is done. The final status is recorded before the stored request
 * is deleted (the record decides which writer finishes the job), so a poller can see `Completed` while the request
 * file still exists: this polls until it is gone. Bounded like `pollUntilSettled`.
 */
export async function settledJobFiles(jobFolder: string): Promise<string[]> {
  for (let attempt = 0; attempt < 1500; attempt++) {
    const files = (await readdir(jobFolder)).sort();
    if (!files.includes('request.json')) return files;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${jobFolder} still holds request.json after 1500 polls`);
}

export async function submit(agent: TestAgent, body: unknown): Promise<string> {
  const response = await agent.post(SUBMIT_PATH, body);
  if (response.status !== 202) throw new Error(`submit answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { __mcd_request_id__: string }).__mcd_request_id__;
}
