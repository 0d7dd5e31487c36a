import { type Agent, asyncWorkOf } from '@artemis/core/runtime';
import type { InvocationContext } from '@azure/functions';
import { runInInvocation } from './invocation-logger';

/** The app setting prefix of the queue trigger's connection (the Terraform module sets `ArtemisAsyncQueue__…`). */
export const ASYNC_QUEUE_CONNECTION = 'ArtemisAsyncQueue';
export const ASYNC_FUNCTION_NAME = 'artemis-async';
export const POISON_FUNCTION_NAME = 'artemis-async-poison';
/** The Functions host moves a message that failed maxDequeueCount times (5) to `<queue>-poison`. */
export const poisonQueueOf = (queueName: string) => `${queueName}-poison`;

export const POISON_REASON = 'The async work message failed repeatedly and was moved to the poison queue.';

export type QueueHandler = (message: unknown, context: InvocationContext) => Promise<void>;

/**
 * The queue-triggered functions of the async work (SPEC §8). `work` runs the job named by the message; it rejects
 * only when storage fails, so the host delivers the message again (a redelivered job that already started is not
 * run twice). `poison` ends the job of a message the host gave up on: Failed. The host hands over the message
 * decoded from base64, and parsed when it is JSON.
 */
export function createQueueHandlers(agent: Agent): { work: QueueHandler; poison: QueueHandler } {
  return {
    work: (message, context) =>
      runInInvocation(context, async () => {
        const work = asyncWorkOf(parsed(message));
        if (!work) throw new Error('Not an async work message');
        await agent.runAsyncWork(work);
      }),
    poison: (message, context) =>
      runInInvocation(context, async () => {
        const work = asyncWorkOf(parsed(message));
        if (!work) {
          agent.logger.warn('Discarded a poison message that is not async work');
          return;
        }
        await agent.abandonAsyncWork(work, POISON_REASON);
      }),
  };
}

function parsed(message: unknown): unknown {
  if (typeof message !== 'string') return message;
  try {
    return JSON.parse(message);
  } catch {
    return undefined;
  }
}
