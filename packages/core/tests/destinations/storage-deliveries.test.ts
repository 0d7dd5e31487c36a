import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/config';
import { createStorageBackend } from '../../src/storage/create-storage-backend';
import type { FullStorageBackend } from '../../src/storage/storage-backend';
import { streamToBuffer } from '../../src/storage/stream-helpers';
import { allStorageFixtures, BUCKET, type RunningStorage } from '../storage/support/storage-fixtures';
import {
  type DeliveryWorld,
  ndjson,
  range,
  receivedIds,
  seedPayload,
  startDeliveryWorld,
  submitDelivery,
  untilEnded,
} from './support/delivery-fixtures';

/*
 * The agent's own storage on both ends of a delivery, on every backend (issue 15): `data_url` as a storage key (and
 * as `s3://` / `gs://` naming the agent's bucket) read with the agent's identity — through a pre-signed URL of its
 * backend with Range requests across continuations, or the FILESYSTEM directly — and the `storage` destination
 * writing each batch as one NDJSON object.
 */
const SCHEMES: Partial<Record<string, string>> = { S3: 's3', S3_COMPATIBLE: 's3', GCS: 'gs' };

describe.each(allStorageFixtures)('deliveries with $type storage', (fixture) => {
  let storage: RunningStorage;
  let world: DeliveryWorld;
  let backend: FullStorageBackend;

  beforeAll(async () => {
    storage = await fixture.start();
    // 10 s runs, 3 s margin, 2 s per batch: four batches a run.
    world = await startDeliveryWorld(
      { ...storage.env, MCD_ASYNC_TIMEOUT_SECONDS: '10', MCD_DESTINATION_CONTINUE_MARGIN_SECONDS: '3' },
      { msPerBatch: 2000 },
    );
    backend = await createStorageBackend(fixture.type, loadConfig(storage.env));
    await backend.write('exports/contacts.ndjson', ndjson(1000));
  }, 60_000);

  afterAll(async () => {
    await world?.close();
    await storage?.stop();
  });

  it('reads a storage key across continuations, every record once', async () => {
    // Prepare
    world.mock.reset();
    const before = world.dispatched.length;
    // Act
    const accepted = await submitDelivery(
      world.agent,
      'http-json',
      seedPayload(world.mock, 'exports/contacts.ndjson', {
        settings: { url: world.mock.destinationUrl, batch_size: 100 },
      }),
    );
    const status = await untilEnded(world.agent, accepted.body.job_id as string);
    // Assess
    expect(receivedIds(world.mock)).toEqual(range(1, 1000));
    expect(world.dispatched.length - before).toBeGreaterThan(2);
    expect(status).toMatchObject({
      __mcd_result__: { state: 'succeeded', records_sent: 1000, total_bytes: ndjson(1000).length },
    });
  });

  const scheme = SCHEMES[fixture.type];
  (scheme ? it : it.skip)(`reads ${scheme ?? 'a bucket'}:// naming the agent's bucket`, async () => {
    // Prepare
    world.mock.reset();
    // Act
    const accepted = await submitDelivery(
      world.agent,
      'http-json',
      seedPayload(world.mock, `${scheme}://${BUCKET}/mcd/exports/contacts.ndjson`, {
        settings: { url: world.mock.destinationUrl, batch_size: 500 },
      }),
    );
    const status = await untilEnded(world.agent, accepted.body.job_id as string);
    // Assess
    expect(receivedIds(world.mock)).toEqual(range(1, 1000));
    expect(status).toMatchObject({ __mcd_result__: { state: 'succeeded', records_sent: 1000 } });
  });

  it('writes each batch as an NDJSON object with the storage destination', async () => {
    // Act
    const accepted = await submitDelivery(
      world.agent,
      'storage',
      seedPayload(world.mock, 'exports/contacts.ndjson', { webhook_id: 'wh-handoff', settings: { batch_size: 400 } }),
    );
    const status = await untilEnded(world.agent, accepted.body.job_id as string);
    const page = await backend.list({ prefix: 'destinations/wh-handoff/' });
    const objects = await Promise.all(
      page.objects.map(async (object) => (await streamToBuffer(await backend.read(object.key))).toString('utf8')),
    );
    // Assess
    expect(page.objects.map((object) => object.key)).toEqual([
      'destinations/wh-handoff/batch-00000001.ndjson',
      'destinations/wh-handoff/batch-00000002.ndjson',
      'destinations/wh-handoff/batch-00000003.ndjson',
    ]);
    expect(objects.join('')).toBe(ndjson(1000).toString('utf8'));
    expect(status).toMatchObject({ __mcd_result__: { state: 'succeeded', records_sent: 1000, batches_sent: 3 } });
  });
});
