import { perAgent } from '../agent/per-agent';
import { createStorageBackend } from './create-storage-backend';
import type { FullStorageBackend } from './storage-backend';

/**
 * The agent's one storage backend: MCD_STORAGE, else the runtime's default (`services.defaultStorage`), created on
 * first use and shared by the `storage` connection type, response offload and async state. A configuration error
 * is kept too: the configuration cannot change while the agent runs, so every caller gets the same clear message.
 */
export const storageFor = perAgent((services): Promise<FullStorageBackend> => {
  const type = services.config.storage.type ?? services.defaultStorage;
  return createStorageBackend(type, services.config);
});
