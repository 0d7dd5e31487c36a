import type { AgentServices } from '../agent/agent-services';

/**
 * A RemoteOps member that creates its client once per agent, on first use, so that the SDK it wraps is imported
 * then and never on the health path; a failed creation (an import, a missing variable) is tried again next time.
 */
export function lazyRemoteOp<T>(
  create: (services: AgentServices) => Promise<T>,
): (services: AgentServices) => Promise<T> {
  let value: Promise<T> | undefined;
  return (services) => {
    value ??= create(services).catch((error: unknown) => {
      value = undefined;
      throw error;
    });
    return value;
  };
}
