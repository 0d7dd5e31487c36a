import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { itInPrivateNetwork, startHttpServer } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestAgent, type TestAgent } from '../../src/testing';
import { expectFreeOfSecrets } from '../support/secret-leaks';
import {
  jobBody,
  jobConnector,
  pollUntilSettled,
  settledJobFiles,
  submit,
  tempStorage,
} from './support/async-fixtures';

/*
 * callback_url (SPEC §8, issue 12): the final status is POSTed once per job through the SSRF guard, retried with
 * backoff, with the auth header the request names; a callback that fails never changes the job.
 */
const API_KEY = 'ak_live_5f4dcc3b5aa765d61d8327deb882cf99';

interface Delivery {
  readonly headers: IncomingMessage['headers'];
  readonly body: Record<string, unknown>;
  readonly answered: number;
}

/** A receiver that answers each job's first `failures` deliveries with 503, then 200; `always` fixes the answer. */
async function startReceiver(failures: number, always?: number) {
  const deliveries: Delivery[] = [];
  const server = await startHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      const earlier = deliveries.filter((d) => d.body.__mcd_request_id__ === body.__mcd_request_id__).length;
      const answered = always ?? (earlier < failures ? 503 : 200);
      deliveries.push({ headers: req.headers, body, answered });
      res.writeHead(answered).end();
    });
  });
  return { ...server, deliveries, url: `${server.url}/callback` };
}

let storage: Awaited<ReturnType<typeof tempStorage>>;
let agent: TestAgent;

/** The job has been ended by its one final writer once its stored request is gone (deleted after delivery). */
async function untilFinished(requestId: string): Promise<void> {
  await settledJobFiles(join(storage.path, 'mcd', 'async', requestId));
}

beforeAll(async () => {
  storage = await tempStorage();
  agent = await startTestAgent(
    {
      MCD_STORAGE: 'FILESYSTEM',
      MCD_STORAGE_PATH: storage.path,
      MCD_HTTP_ALLOW_LOOPBACK: 'true',
      MCD_ASYNC_CALLBACK_RETRIES: '3',
    },
    {
      connectors: jobConnector().catalog,
      callbackRetryDelayMs: 1,
      env: { CALLBACK_AUTH: JSON.stringify({ 'x-api-key': API_KEY }) },
    },
  );
});

afterAll(async () => {
  await agent?.close();
  await storage?.remove();
});

describe('callback_url', () => {
  it('delivers exactly one final status per job, after two failed deliveries, with the auth header', async () => {
    // Prepare
    const receiver = await startReceiver(2);
    const callback = { callback_url: receiver.url, callback_headers: { Authorization: `Bearer ${API_KEY}` } };
    try {
      // Act
      const ids = await Promise.all(
        ['a', 'b', 'c'].map((value) => submit(agent, jobBody('echo', [value], callback, `cb-${value}`))),
      );
      await Promise.all(ids.map(untilFinished));
      // Assess
      for (const [index, id] of ids.entries()) {
        const mine = receiver.deliveries.filter((d) => d.body.__mcd_request_id__ === id);
        expect(mine.map((d) => d.answered)).toEqual([503, 503, 200]);
        expect(mine.map((d) => d.headers.authorization)).toEqual(mine.map(() => `Bearer ${API_KEY}`));
        expect(mine[2]?.headers['x-mcd-trace-id']).toBe(`cb-${['a', 'b', 'c'][index]}`);
        expect(mine[2]?.body).toEqual({
          __mcd_request_id__: id,
          __mcd_status__: 'Completed',
          __mcd_created__: expect.any(String),
          __mcd_last_updated__: expect.any(String),
          __mcd_result__: ['a', 'b', 'c'][index],
          __mcd_trace_id__: `cb-${['a', 'b', 'c'][index]}`,
        });
      }
      expect(receiver.deliveries).toHaveLength(9);
      expectFreeOfSecrets(agent.logs, [API_KEY]);
    } finally {
      await receiver.close();
    }
  });

  it('takes the auth header from a self-hosted credentials envelope, never logging it', async () => {
    // Prepare
    const receiver = await startReceiver(0);
    const callback = {
      callback_url: receiver.url,
      callback_headers: { self_hosted_credentials_type: 'env_var', env_var_name: 'CALLBACK_AUTH' },
    };
    try {
      // Act
      const id = await submit(agent, jobBody('echo', ['hosted'], callback, 'cb-hosted'));
      await untilFinished(id);
      // Assess
      expect(receiver.deliveries.map((d) => [d.headers['x-api-key'], d.body.__mcd_status__])).toEqual([
        [API_KEY, 'Completed'],
      ]);
      expectFreeOfSecrets(agent.logs, [API_KEY]);
    } finally {
      await receiver.close();
    }
  });

  it('leaves the job Completed when the callback keeps failing, after the configured retries', async () => {
    // Prepare
    const receiver = await startReceiver(0, 500);
    try {
      // Act
      const id = await submit(agent, jobBody('echo', ['unlucky'], { callback_url: receiver.url }, 'cb-fail'));
      await untilFinished(id);
      const status = await pollUntilSettled(agent, id);
      // Assess
      expect(receiver.deliveries.map((d) => d.answered)).toEqual([500, 500, 500, 500]);
      expect(status).toMatchObject({ __mcd_status__: 'Completed', __mcd_result__: 'unlucky' });
      expect(agent.logs).toContainEqual(
        expect.objectContaining({
          msg: 'Callback not delivered',
          error: 'Callback answered HTTP 500',
          mcd_request_id: id,
        }),
      );
    } finally {
      await receiver.close();
    }
  });

  it('does not retry a callback the receiver refuses with 401', async () => {
    // Prepare
    const receiver = await startReceiver(0, 401);
    try {
      // Act
      const id = await submit(agent, jobBody('echo', ['refused'], { callback_url: receiver.url }, 'cb-401'));
      await untilFinished(id);
      // Assess
      expect(receiver.deliveries.map((d) => d.answered)).toEqual([401]);
    } finally {
      await receiver.close();
    }
  });

  itInPrivateNetwork('refuses a callback to a metadata address, and the job still completes', async () => {
    // Act
    const id = await submit(
      agent,
      jobBody('echo', ['metadata'], { callback_url: 'http://169.254.169.254/latest/meta-data/' }, 'cb-meta'),
    );
    await untilFinished(id);
    const status = await pollUntilSettled(agent, id);
    // Assess
    expect(status).toMatchObject({ __mcd_status__: 'Completed', __mcd_result__: 'metadata' });
    const refusals = agent.logs.filter((line) => line.mcd_request_id === id && String(line.msg).startsWith('Callback'));
    // One attempt, no retry: a refused destination stays refused.
    expect(refusals).toEqual([
      expect.objectContaining({
        msg: 'Callback delivery failed',
        attempt: 1,
        error: 'Destination refused: blocked address 169.254.169.254',
      }),
      expect.objectContaining({
        msg: 'Callback not delivered',
        error: 'Destination refused: blocked address 169.254.169.254',
      }),
    ]);
  });
});

describe('a job past its deadline (MCD_ASYNC_TIMEOUT_SECONDS=1)', () => {
  it('is ended Failed by its worker, and the callback gets that status once', async () => {
    // Prepare
    const receiver = await startReceiver(0);
    const shortStorage = await tempStorage();
    const short = await startTestAgent(
      {
        MCD_STORAGE: 'FILESYSTEM',
        MCD_STORAGE_PATH: shortStorage.path,
        MCD_HTTP_ALLOW_LOOPBACK: 'true',
        MCD_ASYNC_TIMEOUT_SECONDS: '1',
      },
      { connectors: jobConnector().catalog, callbackRetryDelayMs: 1 },
    );
    try {
      // Act
      const id = await submit(short, jobBody('hold', [], { callback_url: receiver.url }, 'cb-late'));
      const status = await pollUntilSettled(short, id);
      for (let attempt = 0; attempt < 1500 && receiver.deliveries.length === 0; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // Assess
      expect(status).toMatchObject({ __mcd_status__: 'Failed', __mcd_error__: 'Activity timed out after 1 seconds.' });
      expect(receiver.deliveries.map((d) => [d.body.__mcd_status__, d.body.__mcd_error__])).toEqual([
        ['Failed', 'Activity timed out after 1 seconds.'],
      ]);
    } finally {
      await short.close();
      await shortStorage.remove();
      await receiver.close();
    }
  });
});
