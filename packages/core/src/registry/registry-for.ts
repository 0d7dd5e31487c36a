import type { AgentServices } from '../agent/agent-services';
import { perAgent } from '../agent/per-agent';
import { networkGuardFor } from '../network/guard-for';
import { ClientRegistry } from './client-registry';

/** The agent's one client registry, created with the first operation. */
export const registryFor = perAgent((services) => {
  const { config, logger, directory } = services;
  return new ClientRegistry({
    directory,
    ttlSeconds: config.clientCache.ttlSeconds,
    maxEntries: config.clientCache.maxEntries,
    logger,
    contextFor: (connectionType) => ({
      connectionType,
      config,
      logger,
      network: networkGuardFor(services),
      storage: () => services.storage(),
    }),
  });
});

/** Closes the registry's clients if one was ever created (shutdown). */
export async function closeRegistry(services: AgentServices): Promise<void> {
  await registryFor.peek(services)?.closeAll();
}
