import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exitWithLine } from '../agent/boot-agent';
import type { Agent } from '../agent/create-agent';
import { installGracefulShutdown } from './graceful-shutdown';
import { createLocalServer } from './local-server';

export interface RunServerOptions {
  /** How long in-flight requests may finish after SIGTERM before their connections are closed. */
  readonly drainSeconds: number;
  /** What a failure to listen does with its one line; by default the line on stderr and exit code 1. */
  readonly fail?: (line: string) => never;
}

/**
 * Serves a booted agent from the core's node:http server on the configured host and port (the generic entry and
 * the Cloud Run image): one line when it listens, the same one-line exit as bootAgent when it cannot, and the
 * SIGTERM drain. Resolves once the server listens.
 */
export function runServer(agent: Agent, options: RunServerOptions): Promise<Server> {
  const { listenHost, port, version } = agent.config;
  const fail = options.fail ?? exitWithLine;
  const server = createLocalServer(agent);
  return new Promise((resolve) => {
    server.once('error', (error) => fail(`Cannot listen on ${listenHost}:${port}: ${error.message}`));
    server.listen(port, listenHost, () => {
      // The port actually bound: PORT=0 asks the system for a free one.
      const bound = (server.address() as AddressInfo).port;
      agent.logger.info(`Artemis agent listening on http://${listenHost}:${bound}`, {
        platform: agent.services.platform,
        version,
        port: bound,
      });
      installGracefulShutdown(server, {
        logger: agent.logger,
        drainSeconds: options.drainSeconds,
        onClosed: () => agent.close(),
      });
      resolve(server);
    });
  });
}
