import { itInPrivateNetwork } from '@artemis/testkit';
import { describe, expect, it } from '@jest/globals';
import {
  closeAfterEach,
  type DeliveryWorld,
  deliverAndWait,
  type FileServer,
  ndjson,
  range,
  receivedIds,
  seedPayload,
  startDeliveryWorld,
  startFileServer,
} from './support/delivery-fixtures';

/*
 * What goes wrong on the destination's side (issue 15): throttling with Retry-After, batches that keep failing
 * (listed, or the end of the delivery when configured so, with the checkpoint where it stopped), batches refused
 * outright, a destination the SSRF guard refuses, and the rate limit. On a test clock: waits move it, never time.
 */
closeAfterEach();

const MOCK_500 = 'HTTP 500: {"message":"Mock error","status":500}';

function withBatchSize(size: number, extra: Record<string, unknown> = {}) {
  return (mockUrl: string) => ({ settings: { url: mockUrl, batch_size: size, ...extra } });
}

function deliver(world: DeliveryWorld, file: FileServer, settings: (mockUrl: string) => Record<string, unknown>) {
  return deliverAndWait(world, 'http-json', seedPayload(world.mock, file.url, settings(world.mock.destinationUrl)));
}

describe('a throttling destination', () => {
  it('gets each refused batch again after its Retry-After, and every record once', async () => {
    // Prepare: every third request is answered 429 with Retry-After: 7.
    const world = await startDeliveryWorld();
    world.mock.control({ throttle_every: 3, retry_after: 7 });
    const file = await startFileServer(ndjson(1000));
    const started = world.clock.now();
    // Act
    const { status } = await deliver(world, file, withBatchSize(100));
    // Assess: four 429s, each waited out for exactly its 7 s (the test clock moves only when the agent waits).
    expect(receivedIds(world.mock)).toEqual(range(1, 1000));
    expect(world.mock.requests.map((request) => [request.ordinal, request.answered])).toEqual([
      [1, 200],
      [2, 200],
      [3, 429],
      [3, 200],
      [4, 200],
      [5, 429],
      [5, 200],
      [6, 200],
      [7, 429],
      [7, 200],
      [8, 200],
      [9, 429],
      [9, 200],
      [10, 200],
    ]);
    expect(world.clock.now() - started).toBe(4 * 7000);
    expect(status).toMatchObject({ __mcd_result__: { state: 'succeeded', records_sent: 1000, errors_total: 0 } });
  });
});

describe('batches that keep failing', () => {
  it('are listed as errors while the delivery goes on, and it ends succeeded', async () => {
    // Prepare: batches 2, 5 and 7 always fail with 500; two retries each.
    const world = await startDeliveryWorld({ MCD_DESTINATION_BATCH_RETRIES: '2' });
    world.mock.control({ fail_batches: [2, 5, 7] });
    const file = await startFileServer(ndjson(800));
    // Act
    const { status, final } = await deliver(world, file, withBatchSize(100));
    // Assess
    expect(receivedIds(world.mock)).toEqual([
      ...range(1, 100),
      ...range(201, 400),
      501,
      ...range(502, 600),
      ...range(701, 800),
    ]);
    const errors = [
      `batch 2, lines 101-200, 100 records: ${MOCK_500} (after 3 attempts)`,
      `batch 5, lines 401-500, 100 records: ${MOCK_500} (after 3 attempts)`,
      `batch 7, lines 601-700, 100 records: ${MOCK_500} (after 3 attempts)`,
    ];
    expect(final).toMatchObject({ state: 'succeeded', progress: 1, errors, reason: '' });
    expect(status).toMatchObject({
      __mcd_status__: 'Completed',
      __mcd_result__: {
        state: 'succeeded',
        records_sent: 500,
        records_failed: 300,
        batches_failed: 3,
        errors_total: 3,
      },
      __mcd_progress__: {
        errors: [
          { batch: 2, line: 101, last_line: 200, records: 100, status: 500, message: `${MOCK_500} (after 3 attempts)` },
          { batch: 5, line: 401, last_line: 500, records: 100, status: 500, message: `${MOCK_500} (after 3 attempts)` },
          { batch: 7, line: 601, last_line: 700, records: 100, status: 500, message: `${MOCK_500} (after 3 attempts)` },
        ],
      },
    });
  });

  it('ends the delivery failed at the first one when MCD_DESTINATION_MAX_FAILED_BATCHES=0; the checkpoint shows where', async () => {
    // Prepare
    const world = await startDeliveryWorld({
      MCD_DESTINATION_BATCH_RETRIES: '1',
      MCD_DESTINATION_MAX_FAILED_BATCHES: '0',
    });
    world.mock.control({ fail_batches: [3] });
    const file = await startFileServer(ndjson(800));
    // Act
    const { status, final } = await deliver(world, file, withBatchSize(100));
    // Assess
    const reason = `batch 3, lines 201-300, 100 records: ${MOCK_500} (after 2 attempts)`;
    expect(receivedIds(world.mock)).toEqual(range(1, 200));
    expect(final).toMatchObject({ state: 'failed', reason, errors: [reason] });
    expect(final?.progress).toBeCloseTo(ndjson(200).length / ndjson(800).length, 3);
    expect(status).toMatchObject({
      __mcd_status__: 'Completed',
      __mcd_error__: reason,
      __mcd_error_type__: 'DeliveryFailed',
      __mcd_result__: { state: 'failed', records_sent: 200, batches_sent: 2 },
      __mcd_progress__: { state: 'failed', reason, byte_offset: ndjson(200).length, lines: 200, retry: null },
    });
  });

  it('are not retried when the destination refuses them with a 4xx', async () => {
    // Prepare
    const world = await startDeliveryWorld({ MCD_DESTINATION_BATCH_RETRIES: '5' });
    world.mock.control({ fail_batches: [1], fail_status: 400 });
    const file = await startFileServer(ndjson(200));
    // Act
    const { final } = await deliver(world, file, withBatchSize(100));
    // Assess
    expect(world.mock.requests.map((request) => [request.ordinal, request.answered])).toEqual([
      [1, 400],
      [2, 200],
    ]);
    expect(final?.errors).toEqual([
      'batch 1, lines 1-100, 100 records: HTTP 400: {"message":"Mock error","status":400} (after 1 attempt)',
    ]);
  });

  it('judge success by a field of the answer when settings.success_field says so', async () => {
    // Prepare: the mock answers {"status": 200}; asking for 201 makes every batch a refusal.
    const world = await startDeliveryWorld({ MCD_DESTINATION_MAX_FAILED_BATCHES: '0' });
    const file = await startFileServer(ndjson(10));
    // Act
    const { final } = await deliver(world, file, withBatchSize(100, { success_field: 'status', success_value: 201 }));
    // Assess
    expect(final).toMatchObject({
      state: 'failed',
      reason:
        'batch 1, lines 1-10, 10 records: the answer\'s status is 200: {"message":"Received request with 10 records.","status":200} (after 1 attempt)',
    });
  });
});

describe('the rate limit', () => {
  it('spaces requests by the token bucket: a burst of `requests`, then one per perSeconds/requests', async () => {
    // Prepare
    const world = await startDeliveryWorld();
    const file = await startFileServer(ndjson(600));
    const started = world.clock.now();
    // Act
    await deliver(world, file, withBatchSize(100, { rate_limit: { requests: 2, per_seconds: 1 } }));
    // Assess: six requests, two at once, then one every 500 ms of the test clock.
    expect(receivedIds(world.mock)).toEqual(range(1, 600));
    expect(world.mock.requests).toHaveLength(6);
    expect(world.clock.now() - started).toBe(4 * 500);
  });
});

describe('a destination the SSRF guard refuses', () => {
  itInPrivateNetwork('ends the delivery failed at the first batch, without retrying', async () => {
    // Prepare
    const world = await startDeliveryWorld({ MCD_DESTINATION_BATCH_RETRIES: '5' });
    const file = await startFileServer(ndjson(10));
    // Act
    const { final, status } = await deliver(world, file, () => ({
      settings: { url: 'http://169.254.169.254/latest/meta-data/' },
    }));
    // Assess
    const reason = 'batch 1, lines 1-10, 10 records: Destination refused: blocked address 169.254.169.254';
    expect(final).toMatchObject({ state: 'failed', reason });
    expect(status).toMatchObject({ __mcd_error__: reason, __mcd_error_type__: 'DeliveryFailed' });
  });
});
