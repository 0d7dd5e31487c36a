import { AsyncLocalStorage } from 'node:async_hooks';

/** Per-request log attributes, carried through every await of the request (never a process-wide global). */
export interface LogContext {
  readonly mcd_trace_id?: string | undefined;
  readonly mcd_operation_name?: string | undefined;
  readonly [key: string]: unknown;
}

const store = new AsyncLocalStorage<LogContext>();

export function runWithLogContext<T>(context: LogContext, fn: () => T): T {
  return store.run({ ...store.getStore(), ...context }, fn);
}

export function currentLogContext(): LogContext | undefined {
  return store.getStore();
}
