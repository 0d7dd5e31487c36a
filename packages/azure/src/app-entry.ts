import { bootAgent } from '@artemis/core/runtime';
import { app, type HttpMethod } from '@azure/functions';
import { createAzureHandler } from './azure-handler';
import {
  ASYNC_FUNCTION_NAME,
  ASYNC_QUEUE_CONNECTION,
  createQueueHandlers,
  POISON_FUNCTION_NAME,
  poisonQueueOf,
} from './azure-queue';
import { createAzureAgent } from './create-azure-agent';

/*
 * The Functions app's entry (dist/azure/index.mjs, the `main` of dist/azure/package.json): one catch-all HTTP
 * function so every path of SPEC §2 is the same as on the other runtimes (host.json sets `routePrefix: ""`, so no
 * `/api` prefix). Every method is accepted so that a wrong one gets the core's 405 envelope, not the host's 404.
 * `authLevel: 'function'`: callers send a function key (`x-functions-key` header or `code` query parameter).
 */
export const FUNCTION_NAME = 'artemis';
const METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

const agent = await bootAgent({ createAgent: createAzureAgent });

/** Exported too, so scripts/azure-local can serve the built app without the Functions host. */
export const handler = createAzureHandler(agent);

app.http(FUNCTION_NAME, { route: '{*path}', authLevel: 'function', methods: METHODS, handler });

// Async work (SPEC §8) arrives on MCD_ASYNC_QUEUE_NAME; without it the agent runs async jobs in-process.
export const queueHandlers = createQueueHandlers(agent);
const queueName = agent.config.async.queueName;
if (queueName) {
  const connection = ASYNC_QUEUE_CONNECTION;
  app.storageQueue(ASYNC_FUNCTION_NAME, { queueName, connection, handler: queueHandlers.work });
  app.storageQueue(POISON_FUNCTION_NAME, {
    queueName: poisonQueueOf(queueName),
    connection,
    handler: queueHandlers.poison,
  });
}
