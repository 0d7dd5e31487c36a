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
  const method = request.method.toUpperCase();
  // The library drops GET/HEAD bodies (its Request cannot carry one), so there is nothing to read for them.
  const body = method === 'GET' || method === 'HEAD' ? EMPTY : Buffer.from(await request.arrayBuffer());
  return new AzureAgentRequest(method, url.pathname, query, body, request.headers);
}

/**
 * An AgentRequest whose headers are copied from the host's (undici) Headers when first read: iterating them costs
 * more than the rest of a health check, and no core route reads them (issue 13: the adapter's own share).
 */
class AzureAgentRequest implements AgentRequest {
  readonly method: string;
  readonly path: string;
  readonly query: QueryValues;
  readonly body: Buffer;
  readonly #source: HttpRequest['headers'];
  #headers: Record<string, string> | undefined;

  constructor(method: string, path: string, query: QueryValues, body: Buffer, source: HttpRequest['headers']) {
    this.method = method;
    this.path = path;
    this.query = query;
    this.body = body;
    this.#source = source;
  }

  get headers(): Readonly<Record<string, string>> {
    if (!this.#headers) {
      const headers: Record<string, string> = Object.create(null);
      for (const [name, value] of this.#source) headers[name] = value;
      this.#headers = headers;
    }
    return this.#headers;
  }
}

/** The core's wire bytes (JSON text, raw bytes, or a stream handed to the host) in the host's response shape. */
export function toHttpResponseInit(response: AgentResponse): HttpResponseInit {
  const { status, headers, body } = toWireResponse(response);
  return { status, headers, body };
}
