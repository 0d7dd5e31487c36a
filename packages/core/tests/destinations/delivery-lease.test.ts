import { describe, expect, it } from '@jest/globals';
import type { StatusBody } from '../async/support/async-fixtures';
import {
  closeAfterEach,
  type DeliveryWorld,
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
 * A delivery's life between runs (issue 15): a handed-over delivery is alive while its checkpoint's lease holds
 * (past the job's first deadline), shows where it is on the status route, and its continuation runs once; one
 * whose continuation never comes reads Failed when the lease runs out, and whoever records that reports `failed`.
 * Continuations are held back here, as a lost or late invocation would be.
 */
closeAfterEach();

/** 10 s runs with a 3 s margin, one second per batch of 100: the first run hands over after 700 records. */
async function handedOver(env: Record<string, string> = {}, msPerBatch = 1000) {
  const world = await startDeliveryWorld(
    { MCD_ASYNC_TIMEOUT_SECONDS: '10', MCD_DESTINATION_CONTINUE_MARGIN_SECONDS: '3', ...env },
    { msPerBatch, holdContinuations: true },
  );
  const file = await startFileServer(ndjson(1000));
  const accepted = await submitDelivery(
    world.agent,
    'http-json',
    seedPayload(world.mock, file.url, { settings: { url: world.mock.destinationUrl, batch_size: 100 } }),
  );
  const jobId = accepted.body.job_id as string;
  for (let attempt = 0; !world.dispatched.some((work) => work.continuation === 1); attempt++) {
    if (attempt > 3000) throw new Error('never handed over');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { world, jobId };
}

async function status(target: DeliveryWorld, jobId: string): Promise<StatusBody> {
  return (await (await target.agent.get(`/async/api/v1/status/${jobId}`)).json()) as StatusBody;
}

describe('a handed-over delivery', () => {
  it('stays Running past its first deadline while its lease holds, shows its checkpoint, and finishes once', async () => {
    // Prepare
    const { world: target, jobId } = await handedOver();
    // Act: 12 s after submission (its first deadline was 10 s), 5 s after the hand-over.
    target.clock.advance(5000);
    const waiting = await status(target, jobId);
    await target.release();
    const ended = await untilEnded(target.agent, jobId);
    // The same continuation delivered again (a retried event) finds it taken.
    await target.agent.agent.runAsyncWork({ request_id: jobId, continuation: 1 });
    // Assess
    expect(waiting).toMatchObject({
      __mcd_status__: 'Running',
      __mcd_progress__: {
        state: 'handover',
        continuation: 1,
        byte_offset: ndjson(700).length,
        lines: 700,
        records_sent: 700,
        batches_sent: 7,
        total_bytes: ndjson(1000).length,
      },
    });
    expect(ended).toMatchObject({ __mcd_status__: 'Completed', __mcd_result__: { records_sent: 1000 } });
    expect(receivedIds(target.mock)).toEqual(range(1, 1000));
    expect(target.mock.requests).toHaveLength(10);
  });

  it('reads Failed once its lease runs out, and the cleanup route ends it with a failed report', async () => {
    // Prepare: handed over at 7 s; the lease runs to 17 s.
    const { world: target, jobId } = await handedOver();
    // Act
    target.clock.advance(10_001);
    const expired = await status(target, jobId);
    const cleanup = await target.agent.post('/async/api/v1/cleanup', {
      created_time_from: '2029-12-31T00:00:00Z',
      created_time_to: '2030-01-02T00:00:00Z',
    });
    await untilReported(target.mock, 'wh-abcd12345');
    await target.release();
    // Assess
    expect(expired).toMatchObject({
      __mcd_status__: 'Failed',
      __mcd_error__: 'Activity timed out after 17 seconds.',
      __mcd_last_updated__: '2030-01-01T00:00:17+00:00',
    });
    expect(await cleanup.json()).toEqual({ deleted_instances: 1 });
    expect(target.mock.statuses.get('wh-abcd12345')?.at(-1)).toMatchObject({
      state: 'failed',
      reason: 'Activity timed out after 17 seconds.',
      progress: Math.round((ndjson(700).length / ndjson(1000).length) * 10_000) / 10_000,
    });
    // The late continuation finds the job ended and sends nothing.
    expect(target.mock.requests).toHaveLength(7);
  });

  it('is kept by the cleanup route past MCD_ASYNC_RETENTION_HOURS while its lease holds', async () => {
    // Prepare: 2 h runs with a 1 h margin, 20 minutes per batch: the hand-over comes after 3 batches, at 1 h.
    const { world: target, jobId } = await handedOver(
      {
        MCD_ASYNC_TIMEOUT_SECONDS: '7200',
        MCD_DESTINATION_CONTINUE_MARGIN_SECONDS: '3600',
        MCD_ASYNC_RETENTION_HOURS: '1',
      },
      20 * 60_000,
    );
    // Act: 70 minutes after submission, the job is older than the retention but its lease runs to 3 h.
    target.clock.advance(10 * 60_000);
    const cleanup = await target.agent.post('/async/api/v1/cleanup', {});
    await target.release();
    const ended = await untilEnded(target.agent, jobId);
    // Assess
    expect(await cleanup.json()).toEqual({ deleted_instances: 0 });
    expect(ended).toMatchObject({ __mcd_status__: 'Completed', __mcd_result__: { records_sent: 1000 } });
  });
});
