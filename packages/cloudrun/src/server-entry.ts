import type { AddressInfo } from 'node:net';
import {
  ConfigError,
  createLocalServer,
  installGracefulShutdown,
  loadConfig,
  prepareEnvironment,
} from '@artemis/core/runtime';
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

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    // MCD_ADDITIONAL_ENV_VARS and the AWS CA bundle change the environment the configuration is parsed from.
    await prepareEnvironment(process.env);
    config = loadConfig({ ...CONTAINER_DEFAULTS, ...process.env });
  } catch (error) {
    if (error instanceof ConfigError) exitWith(error.message);
    throw error;
  }
  const agent = createCloudRunAgent(config);
  await agent.ready().catch((error: Error) => exitWith(error.message));
  const server = createLocalServer(agent);
  server.once('error', (error) => exitWith(`Cannot listen on ${config.listenHost}:${config.port}: ${error.message}`));
  server.listen(config.port, config.listenHost, () => {
    const { port } = server.address() as AddressInfo;
    agent.logger.info(`Artemis agent listening on http://${config.listenHost}:${port}`, {
      platform: 'GCP',
      version: config.version,
      port,
    });
  });
  installGracefulShutdown(server, { logger: agent.logger, drainSeconds: DRAIN_SECONDS, onClosed: () => agent.close() });
}

function exitWith(message: string): never {
  process.stderr.write(`artemis: ${message}\n`);
  process.exit(1);
}

void main();
