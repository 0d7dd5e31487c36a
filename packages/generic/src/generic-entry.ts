import { nativeConnectors } from '@artemis/connectors';
import { bootAgent, createAgent, runServer } from '@artemis/core/runtime';

/** Containers usually wait 30 s between SIGTERM and SIGKILL: drain for 25 s, then close the agent's clients. */
const DRAIN_SECONDS = 25;

/** The generic entry point (`node dist/generic/index.mjs`): the local server on PORT. */
const agent = await bootAgent({
  createAgent: (config) => createAgent({ config, platform: 'Generic', connectors: nativeConnectors }),
});
await runServer(agent, { drainSeconds: DRAIN_SECONDS });
