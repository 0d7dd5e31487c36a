import {
  type Agent,
  type AgentRequest,
  type AgentResponse,
  appendQueryValue,
  type QueryValues,
  toWireResponse,
} from '@artemis/core/runtime';
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { runInInvocation } from './invocation-logger';

const EMPTY = Buffer.alloc(0);

export type AzureHttpHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

/** The catch-all HTTP function's handler: HttpRequest → AgentRequest → core → HttpResponseInit. */
export function createAzureHandler(agent: Agent): AzureHttpHandler {
  return (request, context) =>
    runInInvocation(context, async () => toHttpResponseInit(await agent.handle(await fromHttpRequest(request))));
}

/**
 * The query comes from `new URL(request.url)`: the host joins repeated keys of `request.query` with commas
 * (azure-functions-nodejs-library#168). The body is read once, as bytes (a second read fails: #79). The `code`
 * parameter is the function key of `authLevel: 'function'`: the host has checked it, and it goes no further.
 */
export async function fromHttpRequest(request: HttpRequest): Promise<AgentRequest> {
  const url = new URL(request.url);
  const query: QueryValues = Object.create(null);
  for (const [key, value] of url.searchParams) if (key !== 'code') appendQueryValue(query, key, value);
  const headers: Record<string, string> = Object.create(null);
  for (const [name, value] of request.headers) headers[name] = value;
  const method = request.method.toUpperCase();
  // The library drops GET/HEAD bodies (its Request cannot carry one), so there is nothing to read for them.
  const body = method === 'GET' || method === 'HEAD' ? EMPTY : Buffer.from(await request.arrayBuffer());
  return { method, path: url.pathname, query, headers, body };
}

/** The core's wire bytes (JSON text, raw bytes, or a stream handed to the host) in the host's response shape. */
export function toHttpResponseInit(response: AgentResponse): HttpResponseInit {
  const { status, headers, body } = toWireResponse(response);
  return { status, headers, body };
}
