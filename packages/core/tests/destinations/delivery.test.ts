import { afterEach, describe, expect, it } from '@jest/globals';
import {
  type DeliveryWorld,
  type FileServer,
  ndjson,
  range,
  receivedIds,
  seedPayload,
  startDeliveryWorld,
  startFileServer,
  submitDelivery,
  untilEnded,
  untilReported,
} from './support/delivery-fixtures';

/*
 * Webhook deliveries end to end in one process (issue 15): the real local server, a real HTTP file server holding
 * the NDJSON, the mock destination and status API, on a test clock (each batch the destination takes moves it one
 * second, so a run's deadline falls after a known number of batches, whatever the machine's speed).
 */
let world: DeliveryWorld | undefined;
let file: FileServer | undefined;

afterEach(async () => {
  await world?.close();
  await file?.close();
  world = undefined;
  file = undefined;
});

describe('a delivery', () => {
  it('answers 200 accepted at once and delivers every record in order, reporting running then succeeded', async () => {
    // Prepare
    world = await startDeliveryWorld();
    file = await startFileServer(ndjson(1234));
    // Act
    const accepted = await submitDelivery(world.agent, 'http-json', seedPayload(world.mock, file.url));
    const jobId = accepted.body.job_id as string;
    const status = await untilEnded(world.agent, jobId);
    await untilReported(world.mock, 'wh-abcd12345');
    // Assess
    expect(accepted).toEqual({ status: 200, body: { status: 'accepted', job_id: expect.any(String) } });
    expect(receivedIds(world.mock)).toEqual(range(1, 1234));
    expect(world.mock.requests.map((request) => request.records)).toEqual([500, 500, 234]);
    expect(status).toMatchObject({
      __mcd_status__: 'Completed',
      __mcd_result__: { state: 'succeeded', records_sent: 1234, batches_sent: 3, errors_total: 0, continuations: 0 },
      __mcd_progress__: { state: 'succeeded', byte_offset: file.content.length, total_bytes: file.content.length },
    });
    const reports = world.mock.statuses.get('wh-abcd12345') ?? [];
    expect(reports.map(({ state, progress, errors, reason }) => ({ state, progress, errors, reason }))).toEqual([
      { state: 'running', progress: 0, errors: [], reason: '' },
      ...reports.slice(1, -1).map(({ progress }) => ({ state: 'running', progress, errors: [], reason: '' })),
      { state: 'succeeded', progress: 1, errors: [], reason: '' },
    ]);
    expect(reports[0]?.headers.authorization).toBe('Bearer 2:somevarchar:anothervarchar');
  });

  it('continues past its deadline through re-dispatch: every record exactly once, in order, from a Range request', async () => {
    // Prepare: a 10 s run with a 3 s margin takes 7 one-second batches, so 30 batches need 4 continuations.
    world = await startDeliveryWorld(
      { MCD_ASYNC_TIMEOUT_SECONDS: '10', MCD_DESTINATION_CONTINUE_MARGIN_SECONDS: '3' },
      { msPerBatch: 1000 },
    );
    file = await startFileServer(ndjson(3000));
    // Act
    const accepted = await submitDelivery(
      world.agent,
      'http-json',
      seedPayload(world.mock, file.url, { settings: { url: world.mock.destinationUrl, batch_size: 100 } }),
    );
    const status = await untilEnded(world.agent, accepted.body.job_id as string);
    await untilReported(world.mock, 'wh-abcd12345');
    // Assess
    expect(receivedIds(world.mock)).toEqual(range(1, 3000));
    expect(world.mock.requests.map((request) => request.ordinal)).toEqual(range(1, 30));
    expect(world.dispatched.map((work) => work.continuation ?? 0)).toEqual([0, 1, 2, 3, 4]);
    const gets = file.requests.filter((request) => request.method === 'GET');
    expect(gets.map((request) => request.range)).toEqual([
      undefined,
      ...[7, 14, 21, 28].map((batches) => `bytes=${ndjson(batches * 100).length}-`),
    ]);
    expect(status).toMatchObject({
      __mcd_status__: 'Completed',
      __mcd_result__: { state: 'succeeded', records_sent: 3000, batches_sent: 30, continuations: 4 },
    });
    const reports = world.mock.statuses.get('wh-abcd12345') ?? [];
    const progress = reports.filter((report) => report.state === 'running').map((report) => report.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBeGreaterThan(0.9);
    expect(reports.filter((report) => report.state !== 'running').map((report) => report.state)).toEqual(['succeeded']);
  });
});
