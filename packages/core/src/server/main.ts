import { nativeConnectors } from '@artemis/connectors';
import { createAgent } from '../agent/create-agent';
import { ConfigError, loadConfig } from '../config/config';
import { installGracefulShutdown } from './graceful-shutdown';
import { createLocalServer } from './local-server';

/** The generic entry point (`node dist/generic/index.mjs`): the local server on PORT. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) exitWith(error.message);
    throw error;
  }
  const agent = createAgent({ config, platform: 'Generic', connectors: nativeConnectors });
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
