import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  closeAfterEach,
  type DeliveryWorld,
  deliverAndWait,
  ndjson,
  range,
  receivedIds,
  seedPayload,
  startDeliveryWorld,
  startFileServer,
} from './support/delivery-fixtures';

/*
 * The file's side (issue 15): the size from HEAD or, when a pre-signed URL refuses HEAD, from the GET; resuming with
 * Range, or by skipping bytes when the server ignores it; a stream that breaks; a file that changes between runs;
 * lines that are not records (invalid JSON, a 10 MB line, blank lines); and objects of the agent's own storage.
 */
closeAfterEach();

/** A world whose runs take 4 batches each: 10 s runs with a 3 s margin, each batch moving the clock 2 s. */
async function continuingWorld(onBatch?: (records: readonly unknown[]) => void) {
  return startDeliveryWorld(
    { MCD_ASYNC_TIMEOUT_SECONDS: '10', MCD_DESTINATION_CONTINUE_MARGIN_SECONDS: '3' },
    { msPerBatch: 2000, ...(onBatch ? { onBatch } : {}) },
  );
}

function deliver(world: DeliveryWorld, dataUrl: string) {
  const settings = { url: world.mock.destinationUrl, batch_size: 100 };
  return deliverAndWait(world, 'http-json', seedPayload(world.mock, dataUrl, { settings }));
}

describe('reading data_url', () => {
  it('takes the size from the GET when HEAD is refused (a URL pre-signed for GET), and reports progress by bytes', async () => {
    // Prepare
    const world = await startDeliveryWorld();
    const file = await startFileServer(ndjson(400), { refuseHead: true });
    // Act
    const { status, reports } = await deliver(world, file.url);
    // Assess
    expect(file.requests.map((request) => request.method)).toEqual(['HEAD', 'GET']);
    expect(status).toMatchObject({ __mcd_progress__: { total_bytes: ndjson(400).length } });
    expect(reports.filter((r) => r.state === 'running').map((r) => r.progress)).toEqual([
      0,
      ...[1, 2, 3, 4].map(
        (batches) => Math.round((ndjson(batches * 100).length / ndjson(400).length) * 10_000) / 10_000,
      ),
    ]);
  });

  it('skips to the offset itself when the server ignores Range: still every record exactly once', async () => {
    // Prepare
    const world = await continuingWorld();
    const file = await startFileServer(ndjson(1000), { ignoreRange: true });
    // Act
    const { status } = await deliver(world, file.url);
    // Assess
    expect(receivedIds(world.mock)).toEqual(range(1, 1000));
    expect(world.mock.requests.map((request) => request.ordinal)).toEqual(range(1, 10));
    expect(world.dispatched.length).toBeGreaterThan(2);
    expect(
      file.requests
        .filter((request) => request.method === 'GET')
        .slice(1)
        .every((r) => r.range),
    ).toBe(true);
    expect(status).toMatchObject({ __mcd_result__: { state: 'succeeded', records_sent: 1000 } });
  });

  it('reads again from the last settled line when the stream breaks', async () => {
    // Prepare: the first GET is cut a little after the third batch's lines.
    const world = await startDeliveryWorld();
    const file = await startFileServer(ndjson(600), { breakGetAfter: ndjson(250).length + 7 });
    // Act
    const { status } = await deliver(world, file.url);
    // Assess
    expect(receivedIds(world.mock)).toEqual(range(1, 600));
    const gets = file.requests.filter((request) => request.method === 'GET');
    expect(gets.map((request) => request.range)).toEqual([undefined, `bytes=${ndjson(200).length}-`]);
    expect(status).toMatchObject({ __mcd_result__: { state: 'succeeded', records_sent: 600 } });
  });

  it('keeps reading a stream that breaks again and again while each read gets further', async () => {
    // Prepare: the first four GETs are each cut a little after 250 lines' worth of bytes from where they start.
    const world = await startDeliveryWorld();
    const cut = ndjson(250).length + 7;
    const file = await startFileServer(ndjson(1000), { breakGetAfter: cut, brokenGets: 4 });
    // Act
    const { status } = await deliver(world, file.url);
    // Assess
    expect(receivedIds(world.mock)).toEqual(range(1, 1000));
    const gets = file.requests.filter((request) => request.method === 'GET');
    expect(gets.map((request) => request.range)).toEqual([
      undefined,
      ...[200, 400, 600, 800].map((lines) => `bytes=${ndjson(lines).length}-`),
    ]);
    expect(status).toMatchObject({ __mcd_result__: { state: 'succeeded', records_sent: 1000 } });
  });

  it('fails after three breaks in a row that get no further', async () => {
    // Prepare: every GET is cut within the first line.
    const world = await startDeliveryWorld();
    const file = await startFileServer(ndjson(600), { breakGetAfter: 7, brokenGets: Number.POSITIVE_INFINITY });
    // Act
    const { status, reports } = await deliver(world, file.url);
    // Assess
    expect(file.requests.filter((request) => request.method === 'GET')).toHaveLength(3);
    expect(world.mock.requests).toEqual([]);
    expect(reports.at(-1)).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/^Reading data_url failed: /),
    });
    expect(status).toMatchObject({ __mcd_error_type__: 'DeliveryFailed', __mcd_result__: { byte_offset: 0 } });
  });

  it('does not take an answer that ends before the file does for its end: reads on with Range', async () => {
    // Prepare: the first GET (chunked) ends cleanly after 250 lines' worth of bytes; each Range answer holds at
    // most 300 lines' worth (a capped 206); HEAD gave the whole size.
    const world = await startDeliveryWorld();
    const file = await startFileServer(ndjson(1000), {
      breakGetAfter: ndjson(250).length + 7,
      cleanBreak: true,
      maxRangeBytes: ndjson(300).length,
    });
    // Act
    const { status } = await deliver(world, file.url);
    // Assess
    expect(receivedIds(world.mock)).toEqual(range(1, 1000));
    expect(file.requests.filter((request) => request.method === 'GET').length).toBeGreaterThan(3);
    expect(status).toMatchObject({ __mcd_result__: { state: 'succeeded', records_sent: 1000, progress: 1 } });
  });

  it('fails, naming where, when every answer ends at the same place short of the size HEAD gave', async () => {
    // Prepare: every GET ends cleanly within the first line.
    const world = await startDeliveryWorld();
    const file = await startFileServer(ndjson(600), {
      breakGetAfter: 7,
      brokenGets: Number.POSITIVE_INFINITY,
      cleanBreak: true,
    });
    // Act
    const { status, reports } = await deliver(world, file.url);
    // Assess
    const reason = `Reading data_url failed: it ended at byte 7 of ${ndjson(600).length}`;
    expect(file.requests.filter((request) => request.method === 'GET')).toHaveLength(3);
    expect(world.mock.requests).toEqual([]);
    expect(reports.at(-1)).toMatchObject({ state: 'failed', reason });
    expect(status).toMatchObject({ __mcd_error__: reason, __mcd_error_type__: 'DeliveryFailed' });
  });

  it('refuses to go on with a file that changed between runs (its ETag differs)', async () => {
    // Prepare: the file is replaced while the first run sends its second batch.
    const file = await startFileServer(ndjson(1000));
    const server = file;
    const world = await continuingWorld((records) => {
      if ((records[0] as { id: number }).id === 101) server.etag = '"v2"';
    });
    // Act
    const { status, reports } = await deliver(world, file.url);
    // Assess
    const reason = 'data_url changed since the delivery started (its ETag differs)';
    expect(reports.at(-1)).toMatchObject({ state: 'failed', reason });
    expect(status).toMatchObject({ __mcd_error__: reason, __mcd_error_type__: 'DeliveryFailed' });
  });

  it('fails with the answer when data_url cannot be read', async () => {
    // Prepare: the mock answers 404 for any path it does not know.
    const world = await startDeliveryWorld();
    // Act
    const { status, reports } = await deliver(world, `${world.mock.url}/no-such-file.ndjson`);
    // Assess
    expect(reports.at(-1)).toMatchObject({ state: 'failed', reason: 'data_url answered HTTP 404', progress: 0 });
    expect(status).toMatchObject({ __mcd_error__: 'data_url answered HTTP 404', __mcd_error_type__: 'DeliveryFailed' });
    expect(world.mock.requests).toEqual([]);
  });
});

describe('lines that are not records', () => {
  it('are skipped and listed by line — invalid JSON, a 10 MB line — and the agent lives on', async () => {
    // Prepare: line 3 is not JSON, line 5 is one 10 MB record, lines 7 and 8 are blank.
    const world = await startDeliveryWorld();
    const huge = JSON.stringify({ id: 'huge', blob: 'x'.repeat(10 * 1024 * 1024) });
    const lines = ['{"id":1}', '{"id":2}', '{"id":3,', '{"id":4}', huge, '{"id":6}', '', '   ', '{"id":9}'];
    const file = await startFileServer(Buffer.from(`${lines.join('\n')}\n`));
    // Act
    const { status, reports } = await deliver(world, file.url);
    const health = await world.agent.get('/health');
    // Assess
    expect(receivedIds(world.mock)).toEqual([1, 2, 4, 6, 9]);
    const errors = ['line 3: not valid JSON, skipped', 'line 5: longer than 1048576 bytes, skipped'];
    expect(reports.at(-1)).toMatchObject({ state: 'succeeded', errors });
    expect(status).toMatchObject({ __mcd_result__: { state: 'succeeded', records_sent: 5, records_invalid: 2 } });
    expect(health.status).toBe(200);
  });

  it('end the delivery failed once there are more than MCD_DESTINATION_MAX_INVALID_RECORDS', async () => {
    // Prepare
    const world = await startDeliveryWorld({ MCD_DESTINATION_MAX_INVALID_RECORDS: '1' });
    const file = await startFileServer(Buffer.from('{"id":1}\nnot json\n{"id":3}\nnor this\n{"id":5}\n'));
    // Act
    const { reports } = await deliver(world, file.url);
    // Assess
    expect(reports.at(-1)).toMatchObject({
      state: 'failed',
      reason: 'More than 1 invalid records (line 2: not valid JSON, skipped)',
      errors: ['line 2: not valid JSON, skipped', 'line 4: not valid JSON, skipped'],
    });
  });
});

describe('a data_url in the agent storage', () => {
  it('is read with the agent identity (a FILESYSTEM key), across continuations', async () => {
    // Prepare
    const world = await continuingWorld();
    const storagePath = world.agent.agent.config.storage.path;
    await mkdir(join(storagePath, 'mcd', 'exports'), { recursive: true });
    await writeFile(join(storagePath, 'mcd', 'exports', 'contacts.ndjson'), ndjson(1000));
    // Act
    const { status } = await deliver(world, 'exports/contacts.ndjson');
    // Assess
    expect(receivedIds(world.mock)).toEqual(range(1, 1000));
    expect(world.dispatched.length).toBeGreaterThan(2);
    expect(status).toMatchObject({
      __mcd_result__: { state: 'succeeded', records_sent: 1000, total_bytes: ndjson(1000).length },
    });
  });
});
