import { AsyncLocalStorage } from 'node:async_hooks';
import { type LogSink, stdoutSink, stringifyLogRecord } from '@artemis/core/runtime';
import type { InvocationContext } from '@azure/functions';

/*
 * SPEC §10: on Azure the agent logs through the invocation context's logger, so lines land in the host's
 * invocation logs (Application Insights) with the invocation id. The current context travels in AsyncLocalStorage
 * (never a module global: invocations run concurrently); lines written outside an invocation go to stdout.
 */
const invocations = new AsyncLocalStorage<InvocationContext>();

export function runInInvocation<T>(context: InvocationContext, fn: () => T): T {
  return invocations.run(context, fn);
}

export const invocationLogSink: LogSink = (record, level) => {
  const context = invocations.getStore();
  if (!context) return stdoutSink(record, level);
  context[level](stringifyLogRecord(record));
};
