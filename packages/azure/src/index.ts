export { type AzureHttpHandler, createAzureHandler, fromHttpRequest, toHttpResponseInit } from './azure-handler';
export {
  ASYNC_FUNCTION_NAME,
  ASYNC_QUEUE_CONNECTION,
  createQueueHandlers,
  POISON_FUNCTION_NAME,
  POISON_REASON,
  poisonQueueOf,
  type QueueHandler,
} from './azure-queue';
export { createAzureAgent } from './create-azure-agent';
export { invocationLogSink, runInInvocation } from './invocation-logger';
export { azureQueueDispatcher } from './queue-dispatcher';
export { azureRemoteOps } from './remote-ops/azure-remote-ops';
export type { AzureRemoteOpsOptions } from './remote-ops/azure-remote-ops-options';
