import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Agent } from '../agent/create-agent';
import type { AgentConfig } from '../config/config';
import { PayloadTooLargeError } from '../errors/agent-errors';
import { errorResponse } from '../http/responses';
import {
  type BodyPace,
  declaresNoBody,
  EMPTY_BODY,
  fromIncomingMessage,
  readBody,
  writeAgentResponse,
} from './node-http';

/**
 * The plain node:http server for local development, generic containers and the Cloud Run image. Lambda and Azure
 * have their platform's limits; this one sets its own against slow clients (MCD_SERVER_*): headers must arrive
 * within `headersTimeoutMs` (node answers a bare 408 and closes), a body must not stall or dribble below its floor
 * (a 408 error envelope, connection closed), and at most `maxConnections` sockets are open at once (more are dropped
 * as they connect, so a flood cannot exhaust memory or file descriptors).
 */
export function createLocalServer(agent: Agent): Server {
  const { limits, server: settings } = agent.config;
  const pace: BodyPace = { idleMs: settings.bodyIdleTimeoutMs, minBytesPerSecond: settings.minBodyBytesPerSecond };
  // Plain callbacks rather than an async handler: a health check costs no promise of ours beyond agent.handle's.
  const server = createServer(serverOptions(agent.config), (req, res) => {
    // A request that declares no body (a GET) is answered at once, without waiting for its 'end' event.
    if (declaresNoBody(req)) {
      answer(agent, req, res, EMPTY_BODY);
      return;
    }
    readBody(req, limits.maxRequestBodyBytes, pace).then(
      (body) => {
        if (body) {
          answer(agent, req, res, body);
          return;
        }
        res.setHeader('connection', 'close');
        writeAgentResponse(res, errorResponse(new PayloadTooLargeError(limits.maxRequestBodyBytes), undefined));
      },
      (error: Error) => {
        // A body that stalled or broke off: the connection is spent (the error closes it), the rest is answered.
        agent.logger.warn('Request body not received', { error: error.message });
        writeAgentResponse(res, errorResponse(error, undefined));
      },
    );
  });
  server.maxConnections = settings.maxConnections;
  return server;
}

function answer(agent: Agent, req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  agent.handle(fromIncomingMessage(req, body)).then(
    (response) => {
      try {
        writeAgentResponse(res, response);
      } catch (error) {
        failed(agent, res, error);
      }
    },
    (error) => failed(agent, res, error),
  );
}

function failed(agent: Agent, res: ServerResponse, error: unknown): void {
  agent.logger.error('Failed to answer a request', { error: (error as Error)?.message });
  if (!res.headersSent) writeAgentResponse(res, errorResponse(error, undefined));
  else res.destroy();
}

function serverOptions(config: AgentConfig) {
  const { headersTimeoutMs } = config.server;
  return {
    headersTimeout: headersTimeoutMs,
    // The whole request (headers and body) still has an outer bound; node requires it to be at least headersTimeout.
    requestTimeout: Math.max(headersTimeoutMs, (config.operationTimeoutSeconds + 30) * 1000),
    // How often node looks for expired headers: a fraction of the timeout, so it fires close to when it is due.
    connectionsCheckingInterval: Math.min(1000, Math.max(10, Math.floor(headersTimeoutMs / 4))),
  };
}
