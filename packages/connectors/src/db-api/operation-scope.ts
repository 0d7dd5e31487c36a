import { currentLogContext } from '@artemis/core';

const OUTSIDE_ANY_OPERATION = Object.freeze({});

/**
 * An identity for "the operation running now", used to tell which open result sets belong to which request when
 * concurrent requests share one cached connection. The core runs each operation inside its own log context (one
 * object per request, carried by AsyncLocalStorage), so that object's identity is the operation's.
 */
export function currentOperationScope(): object {
  return currentLogContext() ?? OUTSIDE_ANY_OPERATION;
}
