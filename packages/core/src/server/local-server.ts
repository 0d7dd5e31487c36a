import { createServer, type Server } from 'node:http';
import type { Agent } from '../agent/create-agent';
import type { AgentConfig } from '../config/config';
import { PayloadTooLargeError } from '../errors/agent-errors';
import { errorResponse } from '../http/responses';
import { type BodyPace, fromIncomingMessage, readBody, writeAgentResponse } from './node-http';

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
  const server = createServer(serverOptions(agent.config), async (req, res) => {
    let body: Buffer | undefined;
    try {
      body = await readBody(req, limits.maxRequestBodyBytes, pace);
    } catch (error) {
      // A body that stalled or broke off: the connection is spent (the error closes it), the rest is answered.
      agent.logger.warn('Request body not received', { error: (error as Error).message });
      writeAgentResponse(res, errorResponse(error, undefined));
      return;
    }
    try {
      if (!body) {
        res.setHeader('connection', 'close');
        writeAgentResponse(res, errorResponse(new PayloadTooLargeError(limits.maxRequestBodyBytes), undefined));
        return;
      }
      writeAgentResponse(res, await agent.handle(fromIncomingMessage(req, body)));
    } catch (error) {
      agent.logger.error('Failed to answer a request', { error: (error as Error).message });
      if (!res.headersSent) writeAgentResponse(res, errorResponse(error, undefined));
      else res.destroy();
    }
  });
  server.maxConnections = settings.maxConnections;
  return server;
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
