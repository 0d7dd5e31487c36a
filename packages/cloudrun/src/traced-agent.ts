import type { Agent } from '@artemis/core/runtime';
import { runWithTrace, traceLogFields } from './cloud-logging';

/**
 * The agent, with each request run inside its Cloud trace (see runWithTrace), so every line the core logs
 * for it is correlated. The servers take an Agent, so this is the seam: no change to the core's server.
 */
export function withCloudTrace(agent: Agent, projectId: string | undefined): Agent {
  if (!projectId) return agent;
  return {
    ...agent,
    handle: (request) => {
      const fields = traceLogFields(request.headers, projectId);
      return fields ? runWithTrace(fields, () => agent.handle(request)) : agent.handle(request);
    },
  };
}
