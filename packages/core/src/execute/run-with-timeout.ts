import { OperationTimeoutError } from '../errors/agent-errors';

/**
 * Runs `work` with an AbortSignal that fires after `seconds`; the caller gets an OperationTimeoutError at that moment
 * even if the work ignores the signal (its client is then disposed, since the answer is an error).
 */
export async function runWithTimeout<T>(seconds: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new OperationTimeoutError(seconds);
      controller.abort(error);
      reject(error);
    }, seconds * 1000);
    // Never what keeps a process up: the caller awaits the race (a server or an invocation holds the process).
    timer.unref();
  });
  try {
    return await Promise.race([work(controller.signal), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
