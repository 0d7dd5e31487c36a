import type { AgentServices } from './agent-services';

/**
 * A lazily created, per-agent singleton (the network guard, the client registry, …). Kept beside the agent in a
 * WeakMap so the module that needs a service creates it on first use and the health path never imports it.
 */
export function perAgent<T>(create: (services: AgentServices) => T): {
  (services: AgentServices): T;
  peek(services: AgentServices): T | undefined;
} {
  const instances = new WeakMap<AgentServices, T>();
  const get = (services: AgentServices): T => {
    if (!instances.has(services)) instances.set(services, create(services));
    return instances.get(services) as T;
  };
  return Object.assign(get, { peek: (services: AgentServices) => instances.get(services) });
}
