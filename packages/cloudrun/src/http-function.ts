import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Agent, fromIncomingMessage, writeAgentResponse } from '@artemis/core/runtime';

/** What functions-framework hands an HTTP function: Express's request, with the body bytes kept as `rawBody`. */
export type FrameworkRequest = IncomingMessage & { rawBody?: Buffer };

const EMPTY = Buffer.alloc(0);

/**
 * The handler registered with functions-framework (`functions.http('artemis', …)`). Its body parsers have already
 * read the request; `rawBody` holds the exact bytes (absent when there was no body). `agent.handle` never throws.
 */
export function createHttpFunction(agent: Agent): (req: FrameworkRequest, res: ServerResponse) => Promise<void> {
  return async (req, res) =>
    writeAgentResponse(res, await agent.handle(fromIncomingMessage(req, req.rawBody ?? EMPTY)));
}
