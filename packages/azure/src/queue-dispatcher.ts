import type { AgentConfig, AsyncDispatcher } from '@artemis/core/runtime';
import { asyncWorkEvent } from '@artemis/core/runtime';
import type { QueueClient } from '@azure/storage-queue';

/**
 * Async dispatch on Azure (SPEC §8): the work event goes on the storage queue MCD_ASYNC_QUEUE_NAME, which the app's
 * queue-triggered function consumes (azure-queue.ts). The queue is in the agent's storage account
 * (MCD_STORAGE_ACCOUNT_NAME; MCD_ASYNC_QUEUE_ENDPOINT_URL overrides the service URL, e.g. for Azurite), reached with
 * the account key when MCD_STORAGE_ACCESS_KEY is set, else the Function's managed identity. Messages are base64, the
 * encoding the Functions host expects by default. @azure/storage-queue is imported on the first dispatch.
 */
export function azureQueueDispatcher(config: AgentConfig, queueName: string): AsyncDispatcher {
  let queue: Promise<QueueClient> | undefined;
  return {
    kind: 'azure-queue',
    async dispatch(work) {
      queue ??= queueClient(config, queueName);
      const client = await queue;
      await client.sendMessage(Buffer.from(JSON.stringify(asyncWorkEvent(work)), 'utf8').toString('base64'));
    },
  };
}

async function queueClient(config: AgentConfig, queueName: string): Promise<QueueClient> {
  const { accountName, accessKey } = config.storage;
  const endpoint = config.async.queueEndpointUrl ?? (accountName && `https://${accountName}.queue.core.windows.net`);
  if (!endpoint) {
    throw new Error('The async queue needs MCD_STORAGE_ACCOUNT_NAME (or MCD_ASYNC_QUEUE_ENDPOINT_URL)');
  }
  const sdk = await import('@azure/storage-queue');
  const url = `${endpoint.replace(/\/+$/, '')}/${queueName}`;
  if (accessKey && accountName) {
    return new sdk.QueueClient(url, new sdk.StorageSharedKeyCredential(accountName, accessKey));
  }
  const { DefaultAzureCredential } = await import('@azure/identity');
  return new sdk.QueueClient(url, new DefaultAzureCredential());
}
