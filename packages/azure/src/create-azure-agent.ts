import { nativeConnectors } from '@artemis/connectors';
import { type Agent, type AgentConfig, createAgent, createLogger } from '@artemis/core/runtime';
import { invocationLogSink } from './invocation-logger';
import { azureQueueDispatcher } from './queue-dispatcher';
import { azureRemoteOps } from './remote-ops/azure-remote-ops';

/**
 * The agent as the Functions app builds it: platform Azure, Blob storage by default, logs via the invocation, async
 * work through the storage queue MCD_ASYNC_QUEUE_NAME (in-process when it is unset).
 */
export function createAzureAgent(config: AgentConfig): Agent {
  const queueName = config.async.queueName;
  return createAgent({
    ...(queueName ? { asyncDispatcher: azureQueueDispatcher(config, queueName) } : {}),
    config,
    platform: 'Azure',
    defaultStorage: 'AZURE_BLOB',
    connectors: nativeConnectors,
    logger: createLogger(config.logLevel, invocationLogSink),
    remoteOps: azureRemoteOps(),
    platformInfo: () => ({
      site_name: process.env.WEBSITE_SITE_NAME,
      hostname: process.env.WEBSITE_HOSTNAME,
      sku: process.env.WEBSITE_SKU,
      region: process.env.REGION_NAME,
    }),
  });
}
