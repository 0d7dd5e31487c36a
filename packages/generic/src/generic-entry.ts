import { nativeConnectors } from '@artemis/connectors';
import {
  ConfigError,
  createAgent,
  createLocalServer,
  installGracefulShutdown,
  loadConfig,
  prepareEnvironment,
} from '@artemis/core/runtime';

/** The generic entry point (`node dist/generic/index.mjs`): the local server on PORT. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  let notes: string[];
  try {
    // MCD_ADDITIONAL_ENV_VARS and the AWS CA bundle change the environment the configuration is parsed from.
    notes = await prepareEnvironment(process.env);
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) exitWith(error.message);
    throw error;
  }
  const agent = createAgent({ config, platform: 'Generic', connectors: nativeConnectors });
  for (const note of notes) agent.logger.info(note);
  await agent.ready().catch((error: Error) => exitWith(error.message));
  const server = createLocalServer(agent);
  server.once('error', (error) => exitWith(`Cannot listen on ${config.listenHost}:${config.port}: ${error.message}`));
  server.listen(config.port, config.listenHost, () => {
    agent.logger.info(`Artemis agent listening on http://${config.listenHost}:${config.port}`, {
      platform: 'Generic',
      version: config.version,
    });
  });
  installGracefulShutdown(server, { logger: agent.logger, drainSeconds: 25, onClosed: () => agent.close() });
}

function exitWith(message: string): never {
  process.stderr.write(`artemis: ${message}\n`);
  process.exit(1);
}

void main();
