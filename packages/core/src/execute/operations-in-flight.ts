import type { AgentServices } from '../agent/agent-services';
import { perAgent } from '../agent/per-agent';
import { OperationAbortedError } from '../errors/operation-aborted-error';

/**
 * The operations an agent is running, so that closing the agent (after the server's drain) ends them properly, with
 * the `aborted` outcome and their connectors' `endOperation`, before their clients are closed under them.
 */
const inFlight = perAgent(() => new Map<AbortController, Promise<unknown>>());

/**
 * Tracks one operation from start to settlement. `onIdle` is called once it has settled if no other operation is
 * running, with a function that says whether that is still so (for work it defers).
 */
export function trackOperation<T>(
  services: AgentServices,
  controller: AbortController,
  run: Promise<T>,
  onIdle?: (stillIdle: () => boolean) => void,
): Promise<T> {
  const operations = inFlight(services);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  operations.set(controller, settled);
  void settled.then(() => {
    operations.delete(controller);
    if (onIdle && operations.size === 0) onIdle(() => operations.size === 0);
  });
  return run;
}

/**
 * The in-process async workers of operation jobs, from start to their recorded outcome. An operation that closing
 * the agent aborts still has its job's final state (and callback) to record after it ends: close waits for that
 * too, so no worker writes to storage after close resolves (a process that exits then would leave the job Running
 * until its deadline). Jobs of a kind (deliveries) are not here: close does not abort them, and waiting for one could
 * hold close for as long as its file takes; it checkpoints after each acknowledged batch instead.
 */
const workers = perAgent(() => new Set<Promise<unknown>>());

/** Tracks one operation job's worker until it has recorded the job's outcome. */
export function trackJobWorker<T>(services: AgentServices, run: Promise<T>): Promise<T> {
  const running = workers(services);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  running.add(settled);
  void settled.then(() => running.delete(settled));
  return run;
}

/** Aborts every operation still running and waits until each has ended, then until each job worker has recorded it. */
export async function abortOperations(services: AgentServices): Promise<void> {
  const operations = inFlight.peek(services);
  if (operations && operations.size > 0) {
    for (const controller of operations.keys()) controller.abort(new OperationAbortedError());
    await Promise.allSettled([...operations.values()]);
  }
  const jobs = workers.peek(services);
  if (jobs && jobs.size > 0) await Promise.allSettled([...jobs]);
}
