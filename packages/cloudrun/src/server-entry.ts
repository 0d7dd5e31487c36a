import { bootAgent, runServer } from '@artemis/core/runtime';
import { createCloudRunAgent } from './create-cloud-run-agent';

/*
 * The Cloud Run image's entry (`node dist/cloudrun/index.mjs`). It serves the same handler as the
 * functions-framework registration, from a node:http server the adapter owns: functions-framework's own server
 * answers malformed JSON with an Express HTML page, exits on SIGTERM without draining, and measured 2× bare node to
 * the first answer and 0.1× its requests/s (perf-anchors §4). This one answers JSON only and drains on SIGTERM.
 */

/** Cloud Run routes traffic to $PORT (8080 unless configured) on every interface of the container. */
const CONTAINER_DEFAULTS = { PORT: '8080', MCD_LISTEN_HOST: '0.0.0.0' };
/** Cloud Run sends SIGKILL 10 s after SIGTERM; close the agent's clients before that. */
const DRAIN_SECONDS = 8;

const agent = await bootAgent({ createAgent: createCloudRunAgent, defaults: CONTAINER_DEFAULTS });
await runServer(agent, { drainSeconds: DRAIN_SECONDS });
