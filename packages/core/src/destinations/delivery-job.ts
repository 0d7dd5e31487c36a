import type { JobKind } from '../async/job-kinds';
import { WireKey } from '../protocol/wire-keys';
import { describeErrors, progressOf, readCheckpoint } from './checkpoint';
import { type DeliveryPayload, deliveryPayloadSchema } from './delivery-payload';
import { DeliveryRun } from './delivery-run';
import { reportFinal } from './status-report';

/**
 * A webhook delivery as a job of the async machinery (SPEC §14): submitted by the destination route, run by the
 * runtime's worker, continued through the runtime's dispatcher, followed on the status route, and reported to the
 * platform's status API exactly once at the end by whoever records the final state — the last run, or the status
 * machinery when the delivery died (its lease ran out) or its work was abandoned.
 */
export const deliveryJob: JobKind = {
  async run(services, store, record, requestBody, run) {
    const payload = payloadOf(requestBody);
    return new DeliveryRun(services, store, record, payload, run).execute();
  },

  async finished(services, store, final, requestBody) {
    if (!requestBody) {
      services.logger.warn('Delivery ended without its stored payload: no status report');
      return;
    }
    const checkpoint = await readCheckpoint(store, final.request_id).catch(() => undefined);
    const error = final.body?.[WireKey.error];
    const succeeded = final.status === 'Completed' && error === undefined;
    await reportFinal(services, payloadOf(requestBody), {
      state: succeeded ? 'succeeded' : 'failed',
      progress: succeeded ? 1 : checkpoint ? progressOf(checkpoint) : 0,
      errors: checkpoint ? describeErrors(checkpoint) : [],
      reason: succeeded ? '' : typeof error === 'string' ? error : `The delivery ended ${final.status}`,
    });
  },
};

/** The payload as submitted (it passed the route's checks then). */
function payloadOf(requestBody: Buffer): DeliveryPayload {
  return deliveryPayloadSchema.parse(JSON.parse(requestBody.toString('utf8')));
}
