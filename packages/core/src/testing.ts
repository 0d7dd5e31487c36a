import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Agent, type AgentOptions, createAgent } from './agent/create-agent';
import { loadConfig } from './config/config';
import type { Credentials } from './connectors/proxy-client';
import { createLogger, type LogSink } from './logging/logger';
import type { ClientLease } from './registry/client-registry';
import { registryFor } from './registry/registry-for';
import { createLocalServer } from './server/local-server';

/*
 * `@artemis/core/testing`: the production stack as a test server (as functions-framework's `testing.ts` is), for the
 * tests of every package that needs a running agent. Never imported by an entry point, so never bundled.
 */

/**
 * The real local server on an ephemeral 127.0.0.1 port, configured from `env` exactly as production parses it.
 * Log records are captured in `logs` instead of stdout.
 */
export interface TestAgent {
  readonly url: string;
  readonly agent: Agent;
  /** The node:http server itself (its limits, connection events). */
  readonly server: Server;
  readonly logs: Record<string, unknown>[];
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  get(path: string): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Every test request on a connection of its own. fetch would reuse an idle keep-alive connection, and when a loaded
 * machine leaves more than the server's keep-alive timeout (5 s) between two requests, the server's timer and the
 * next request race for that connection: ECONNRESET, a failure of the machine's speed rather than of the agent.
 */
const FRESH_CONNECTION = { connection: 'close' };

export async function startTestAgent(
  env: Record<string, string> = {},
  options: Omit<AgentOptions, 'config' | 'logger'> = {},
): Promise<TestAgent> {
  const logs: Record<string, unknown>[] = [];
  const sink: LogSink = (record) => logs.push(record);
  const config = loadConfig({ MCD_LOG_LEVEL: 'debug', ...env });
  const agent = createAgent({ ...options, config, logger: createLogger(config.logLevel, sink) });
  await agent.ready();
  const server = createLocalServer(agent);
  // An ephemeral port unless the test gives PORT (e.g. to know the agent's own URL before it starts).
  await new Promise<void>((resolve) => server.listen(env.PORT ? config.port : 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    agent,
    server,
    logs,
    post: (path, body, headers = {}) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { ...FRESH_CONNECTION, 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
      }),
    get: (path) => fetch(`${url}${path}`, { headers: FRESH_CONNECTION }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await agent.close();
    },
  };
}

/** The body of an execute request. */
export function operation(commands: unknown[], extra: Record<string, unknown> = {}, credentials?: unknown) {
  return { credentials, operation: { trace_id: 'trace-1', commands, ...extra } };
}

/**
 * Holds the agent's cached client for these credentials, as a concurrent request on the same client would, until
 * `release`: what a connector does at the end of one operation must not depend on the client being closed after it.
 */
export async function leaseClient(
  agent: Agent,
  connectionType: string,
  credentials: Credentials,
): Promise<ClientLease> {
  await agent.ready();
  return registryFor(agent.services).acquire(connectionType, credentials);
}
