import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Agent, type AsyncWork, asyncWorkEvent, createAgent, createLogger, loadConfig } from '@artemis/core';
import { lambdaContext, type MockDestination, startMockDestination } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { destinationEventOf } from '../../src/destination-event';
import { createLambdaHandler, type LambdaHandler } from '../../src/handler';
import { fixtureEvent } from '../support/events';

/*
 * The Lambda handler's part in webhook deliveries (issue 15): the seed's bare payload invoked directly goes to the
 * destinations route (MCD_DESTINATION_DEFAULT), and a work event runs against the invocation's own remaining time
 * (`getRemainingTimeInMillis`), so a delivery hands over before Lambda would stop it, whatever
 * MCD_ASYNC_TIMEOUT_SECONDS says. On a test clock the mock destination moves one second a batch; the context's
 * remaining time is read from that clock.
 */
const EVENTS = join(import.meta.dirname, '..', 'fixtures', 'events');
let scratch: string;
let mock: MockDestination;
let agent: Agent;
let handler: LambdaHandler;
let now = Date.parse('2030-01-01T00:00:00Z');
const dispatched: AsyncWork[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'artemis-lambda-dest-'));
  await mkdir(join(scratch, 'mcd', 'exports'), { recursive: true });
  const lines = Array.from({ length: 1000 }, (_, index) => JSON.stringify({ id: index + 1 }));
  await writeFile(join(scratch, 'mcd', 'exports', 'contacts.ndjson'), `${lines.join('\n')}\n`);
  mock = await startMockDestination({
    onBatch: () => {
      now += 1000;
    },
  });
  const config = loadConfig({
    MCD_STORAGE: 'FILESYSTEM',
    MCD_STORAGE_PATH: scratch,
    MCD_HTTP_ALLOW_LOOPBACK: 'true',
    MCD_DESTINATION_DEFAULT: 'http-json',
    MCD_DESTINATION_CONTINUE_MARGIN_SECONDS: '3',
    MCD_LOG_LEVEL: 'warn',
  });
  agent = createAgent({
    config,
    platform: 'AWS',
    defaultStorage: 'S3',
    logger: createLogger('warn', () => undefined),
    clock: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    asyncDispatcher: { kind: 'recorder', dispatch: async (work) => void dispatched.push(work) },
  });
  await agent.ready();
  handler = createLambdaHandler(agent);
});

afterAll(async () => {
  await agent?.close();
  await mock?.close();
  await rm(scratch, { recursive: true, force: true });
});

/** A Lambda context whose remaining time runs out `ms` from now on the test clock. */
function contextWithin(ms: number) {
  const deadline = now + ms;
  return { ...lambdaContext(), getRemainingTimeInMillis: () => deadline - now };
}

const PAYLOAD = {
  data_url: 'exports/contacts.ndjson',
  webhook_id: 'wh-direct-1',
  access_token: '2:somevarchar:anothervarchar',
  settings: { batch_size: 100 },
};

describe('a bare destination payload invoked directly', () => {
  it('is accepted by the destinations route (200 {"status": "accepted", "job_id"}) and dispatched', async () => {
    // Act
    const result = await handler(
      { ...PAYLOAD, callback_url: mock.callbackUrl, settings: { ...PAYLOAD.settings, url: mock.destinationUrl } },
      lambdaContext(),
    );
    // Assess
    expect(result.statusCode).toBe(200);
    const body = JSON.parse(result.body) as { status: string; job_id: string };
    expect(body).toEqual({ status: 'accepted', job_id: expect.any(String) });
    expect(dispatched.at(-1)).toEqual({ request_id: body.job_id });
  });

  it('answers a clear 400 when it lacks webhook_id', async () => {
    // Act
    const result = await handler(
      { data_url: 'exports/contacts.ndjson', callback_url: mock.callbackUrl },
      lambdaContext(),
    );
    // Assess
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body)).toMatchObject({
      __mcd_error__: 'Invalid request: webhook_id is required',
      __mcd_exception__: 'BadRequestError: Invalid request: webhook_id is required',
    });
  });

  it('is told from HTTP events (even with a data_url) and work events', async () => {
    // Prepare
    const files = (await readdir(EVENTS)).filter((name) => name.endsWith('.json'));
    const events = files.map((name) => fixtureEvent(name.replace(/\.json$/, '')));
    // Act
    const http = events.map((event) => destinationEventOf({ ...event, data_url: 'x', webhook_id: 'y' }));
    const work = destinationEventOf(asyncWorkEvent({ request_id: 'r' }));
    const bare = destinationEventOf(PAYLOAD);
    // Assess
    expect(files.length).toBeGreaterThan(5);
    expect(http).toEqual(events.map(() => undefined));
    expect(work).toBeUndefined();
    expect(bare).toEqual({
      httpMethod: 'POST',
      path: '/api/v1/destinations',
      headers: { 'content-type': 'application/json' },
      body: PAYLOAD,
    });
  });
});

describe('a delivery run in a work event', () => {
  it("hands over when the invocation's own remaining time runs low, and the continuation finishes it", async () => {
    // Prepare
    const accepted = await handler(
      {
        ...PAYLOAD,
        webhook_id: 'wh-direct-2',
        callback_url: mock.callbackUrl,
        settings: { ...PAYLOAD.settings, url: mock.destinationUrl },
      },
      lambdaContext(),
    );
    const jobId = (JSON.parse(accepted.body) as { job_id: string }).job_id;
    mock.reset();
    // Act: a 10 s invocation (MCD_ASYNC_TIMEOUT_SECONDS is 885): 3 s margin, one second a batch → 7 batches.
    await handler(asyncWorkEvent({ request_id: jobId }), contextWithin(10_000));
    const handedOver = dispatched.at(-1);
    const afterFirst = mock.received.length;
    await handler(asyncWorkEvent({ request_id: jobId, continuation: 1 }), contextWithin(900_000));
    // Assess
    expect(afterFirst).toBe(700);
    expect(handedOver).toEqual({ request_id: jobId, continuation: 1 });
    expect(mock.received.map((record) => (record as { id: number }).id)).toEqual(
      Array.from({ length: 1000 }, (_, index) => index + 1),
    );
  });
});
