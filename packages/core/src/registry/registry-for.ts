import type { AgentServices } from '../agent/agent-services';
import { perAgent } from '../agent/per-agent';
import type { CompiledPipeline } from '../ctp/compile-pipeline';
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
    // The credential pipeline's module is loaded only for connectors that declare one, or a request's ctp_config.
    prepareCredentials: async (type, connector, credentials, pipeline) => {
      if (!connector.credentialPipeline && pipeline === undefined)
        return { credentials, dispose: async () => undefined };
      const { shapeCredentials } = await import('../ctp/shape-credentials');
      return shapeCredentials(services, type, connector, credentials, pipeline as CompiledPipeline | undefined);
    },
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
