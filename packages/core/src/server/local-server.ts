import { createServer, type Server } from 'node:http';
import type { Agent } from '../agent/create-agent';
import { PayloadTooLargeError } from '../errors/agent-errors';
import { errorResponse } from '../http/responses';
import { fromIncomingMessage, readBody, writeAgentResponse } from './node-http';

/** The plain node:http server for local development and generic containers. */
export function createLocalServer(agent: Agent): Server {
  const limit = agent.config.limits.maxRequestBodyBytes;
  const server = createServer(async (req, res) => {
    try {
      const body = await readBody(req, limit);
      if (!body) {
        res.setHeader('connection', 'close');
        writeAgentResponse(res, errorResponse(new PayloadTooLargeError(limit), undefined));
        return;
      }
      writeAgentResponse(res, await agent.handle(fromIncomingMessage(req, body)));
    } catch (error) {
      agent.logger.error('Failed to answer a request', { error: (error as Error).message });
      if (!res.headersSent) writeAgentResponse(res, errorResponse(error, undefined));
      else res.destroy();
    }
  });
  // Slow clients must not hold sockets forever; Lambda and Cloud Run have their own limits.
  server.requestTimeout = (agent.config.operationTimeoutSeconds + 30) * 1000;
  server.headersTimeout = 60_000;
  return server;
}
