import { describe, expect, it } from '@jest/globals';
import {
  closeAfterEach,
  deliverAndWait,
  ndjson,
  range,
  receivedIds,
  seedPayload,
  startDeliveryWorld,
  startFileServer,
} from './support/delivery-fixtures';

/*
 * Webhook deliveries end to end in one process (issue 15): the real local server, a real HTTP file server holding
 * the NDJSON, the mock destination and status API, on a test clock (each batch the destination takes moves it one
 * second, so a run's deadline falls after a known number of batches, whatever the machine's speed).
 */
closeAfterEach();

describe('a delivery', () => {
  it('answers 200 accepted at once and delivers every record in order, reporting running then succeeded', async () => {
    // Prepare
    const world = await startDeliveryWorld();
    const file = await startFileServer(ndjson(1234));
    // Act
    const { accepted, status, reports } = await deliverAndWait(world, 'http-json', seedPayload(world.mock, file.url));
    // Assess
    expect(accepted).toEqual({ status: 200, body: { status: 'accepted', job_id: expect.any(String) } });
    expect(receivedIds(world.mock)).toEqual(range(1, 1234));
    expect(world.mock.requests.map((request) => request.records)).toEqual([500, 500, 234]);
    expect(status).toMatchObject({
      __mcd_status__: 'Completed',
      __mcd_result__: { state: 'succeeded', records_sent: 1234, batches_sent: 3, errors_total: 0, continuations: 0 },
      __mcd_progress__: { state: 'succeeded', byte_offset: file.content.length, total_bytes: file.content.length },
    });
    expect(reports.map(({ state, progress, errors, reason }) => ({ state, progress, errors, reason }))).toEqual([
      { state: 'running', progress: 0, errors: [], reason: '' },
      ...reports.slice(1, -1).map(({ progress }) => ({ state: 'running', progress, errors: [], reason: '' })),
      { state: 'succeeded', progress: 1, errors: [], reason: '' },
    ]);
    expect(reports[0]?.headers.authorization).toBe('Bearer 2:somevarchar:anothervarchar');
  });

  it('continues past its deadline through re-dispatch: every record exactly once, in order, from a Range request', async () => {
    // Prepare: a 10 s run with a 3 s margin takes 7 one-second batches, so 30 batches need 4 continuations.
    const world = await startDeliveryWorld(
      { MCD_ASYNC_TIMEOUT_SECONDS: '10', MCD_DESTINATION_CONTINUE_MARGIN_SECONDS: '3' },
      { msPerBatch: 1000 },
    );
    const file = await startFileServer(ndjson(3000));
    // Act
    const { status, reports } = await deliverAndWait(
      world,
      'http-json',
      seedPayload(world.mock, file.url, { settings: { url: world.mock.destinationUrl, batch_size: 100 } }),
    );
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
    const progress = reports.filter((report) => report.state === 'running').map((report) => report.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBeGreaterThan(0.9);
    expect(reports.filter((report) => report.state !== 'running').map((report) => report.state)).toEqual(['succeeded']);
  });

  it('forwards each record as the file had it: a 23-digit id and 1.50 keep every digit', async () => {
    // Prepare
    const world = await startDeliveryWorld();
    const lines = ['{"id":12345678901234567890123,"price":1.50}', '{ "id" : 2 ,"note":"caf\u00e9"}'];
    const file = await startFileServer(Buffer.from(`${lines.join('\n')}\n`));
    // Act
    const { final } = await deliverAndWait(
      world,
      'http-json',
      seedPayload(world.mock, file.url, { settings: { url: world.mock.destinationUrl, data_key: 'contacts' } }),
    );
    // Assess
    expect(world.mock.requests.map((request) => request.body)).toEqual([`{"contacts":[${lines.join(',')}]}`]);
    expect(final?.state).toBe('succeeded');
  });
});
