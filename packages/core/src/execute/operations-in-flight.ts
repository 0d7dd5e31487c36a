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

/** Aborts every operation still running and waits until each has ended. */
export async function abortOperations(services: AgentServices): Promise<void> {
  const operations = inFlight.peek(services);
  if (!operations || operations.size === 0) return;
  for (const controller of operations.keys()) controller.abort(new OperationAbortedError());
  await Promise.allSettled([...operations.values()]);
}
