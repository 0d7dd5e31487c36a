import { OperationTimeoutError } from '../errors/agent-errors';

/**
 * Runs `work` until it settles, `seconds` pass, or `controller` is aborted from outside (the agent shutting down).
 * On a timeout the controller is aborted with an OperationTimeoutError; either way the caller gets the abort reason
 * at that moment, even if the work ignores the signal (the connector's `endOperation` then stops what it started).
 */
export async function runWithTimeout<T>(
  seconds: number,
  controller: AbortController,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const { signal } = controller;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    timer = setTimeout(() => controller.abort(new OperationTimeoutError(seconds)), seconds * 1000);
    // Never what keeps a process up: the caller awaits the race (a server or an invocation holds the process).
    timer.unref();
  });
  try {
    return await Promise.race([work(signal), stopped]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
