/*
 * The seam between the core's async routes and a runtime (SPEC §8): the submit route stores the job and hands its
 * work to the runtime's dispatcher; whatever receives the work (the same process, a Lambda Event invocation, a
 * queue-triggered Azure function) calls `agent.runAsyncWork(work)`. The work names the job only: the request itself
 * (credentials included) stays in the agent's storage, so no payload limit of a queue or an invocation applies and
 * no secret travels through them.
 */

/** The key that marks a work event: no API Gateway, ALB or Function URL event has it. */
export const ASYNC_WORK_KEY = '__artemis_async_work__';

export interface AsyncWork {
  readonly request_id: string;
  /**
   * Which run of a long job this is (a webhook delivery re-dispatches itself near its deadline, SPEC §14): absent
   * or 0 for the first run, n for the n-th continuation. Ordinary async operations have one run.
   */
  readonly continuation?: number;
}

export interface AsyncDispatcher {
  /** For logs and health: `in-process`, `lambda-event`, `azure-queue`. */
  readonly kind: string;
  /** Hands the work over; rejects when it could not (the submit route then answers an error, not a 202). */
  dispatch(work: AsyncWork): Promise<void>;
}

/** The event or message a dispatcher sends: `{"__artemis_async_work__": {"request_id": "…", "continuation"?: n}}`. */
export function asyncWorkEvent(work: AsyncWork): { readonly [ASYNC_WORK_KEY]: AsyncWork } {
  const continuation = work.continuation ? { continuation: work.continuation } : {};
  return { [ASYNC_WORK_KEY]: { request_id: work.request_id, ...continuation } };
}

/** The work an event carries, or undefined when the event is not a work event (a structural check only). */
export function asyncWorkOf(event: unknown): AsyncWork | undefined {
  if (typeof event !== 'object' || event === null || !Object.hasOwn(event, ASYNC_WORK_KEY)) return undefined;
  const work = (event as Record<string, unknown>)[ASYNC_WORK_KEY];
  const requestId = (work as { request_id?: unknown } | null)?.request_id;
  if (typeof requestId !== 'string') return undefined;
  const continuation = (work as { continuation?: unknown }).continuation;
  return Number.isSafeInteger(continuation) && (continuation as number) > 0
    ? { request_id: requestId, continuation: continuation as number }
    : { request_id: requestId };
}
