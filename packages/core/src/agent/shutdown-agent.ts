import { abortOperations } from '../execute/operations-in-flight';
import { closeRegistry } from '../registry/registry-for';
import type { AgentServices } from './agent-services';

/**
 * `agent.close()`: the operations still running end first (outcome `aborted`, their connectors' `endOperation`),
 * then the cached clients close. Imported on close only, so the health path carries none of it.
 */
export async function shutdownAgent(services: AgentServices): Promise<void> {
  await abortOperations(services);
  await closeRegistry(services);
}
