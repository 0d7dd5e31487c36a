import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * One run of an execute request's commands, as the core hands it to connectors. Connectors that keep per-operation
 * state on a shared (cached) client key it by this object, or by its `id`: concurrent requests share one client, and
 * only the core can say which operation a call belongs to. The core creates it, runs the commands inside it (see
 * `currentOperation`) and ends it with the client's `endOperation` hook, whatever the outcome.
 */
export interface Operation {
  /** Unique within the process. */
  readonly id: string;
  readonly traceId: string;
  readonly connectionType: string;
  /** Aborted when the operation times out or the agent shuts down under it: long calls may stop early. */
  readonly signal: AbortSignal;
}

/**
 * How an operation ended: its commands returned (`success`), one failed (`error`), MCD_OPERATION_TIMEOUT_SECONDS
 * passed while work was still running (`timeout`), or the agent shut down under it (`aborted`). After `timeout` and
 * `aborted` the connector's last call may still be running: what it started is the connector's to cancel.
 */
export type OperationOutcome = 'success' | 'error' | 'timeout' | 'aborted';

export interface OperationEnd {
  readonly operation: Operation;
  readonly outcome: OperationOutcome;
}

/*
 * The running operation travels in an AsyncLocalStorage of its own, which only the core enters (runInOperation is
 * not exported to connectors): a connector that runs work inside a nested log context, or any other context of its
 * own, still sees the operation the core started.
 */
const running = new AsyncLocalStorage<Operation>();
let sequence = 0;

/** The operation whose commands are running now; undefined outside one (client creation, shutdown). */
export function currentOperation(): Operation | undefined {
  return running.getStore();
}

export function createOperation(traceId: string, connectionType: string, signal: AbortSignal): Operation {
  sequence += 1;
  return Object.freeze({ id: `${process.pid}-${sequence}`, traceId, connectionType, signal });
}

export function runInOperation<T>(operation: Operation, fn: () => T): T {
  return running.run(operation, fn);
}
