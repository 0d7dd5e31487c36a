import { type HttpAnswer, type HttpCall, queryString } from '@artemis/testkit';
import { HttpRequest, HttpResponse, InvocationContext, type LogLevel } from '@azure/functions';
import type { AzureHttpHandler } from '../../src/azure-handler';

/** A log line as the Functions host receives it through the invocation context. */
export interface HostLog {
  readonly level: LogLevel;
  readonly args: unknown[];
}

/**
 * Calls the handler the way the Functions host does: a real HttpRequest (with the function key in `code`, as a
 * caller of an `authLevel: 'function'` endpoint sends it) and InvocationContext, and the answer read back through
 * the library's own HttpResponse.
 */
export async function azureCall(handler: AzureHttpHandler, call: HttpCall, logs: HostLog[] = []): Promise<HttpAnswer> {
  const query = queryString({ ...call.query, code: 'function-key' });
  const request = new HttpRequest({
    method: call.method,
    url: `http://localhost:7071${call.path}?${query}`,
    headers: { ...call.headers },
    ...(call.body?.length ? { body: { bytes: call.body } } : {}),
  });
  const context = new InvocationContext({
    invocationId: 'invocation-1',
    functionName: 'artemis',
    logHandler: (level, ...args) => logs.push({ level, args }),
  });
  const response = new HttpResponse(await handler(request, context));
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { status: response.status, headers, body: Buffer.from(await response.arrayBuffer()) };
}
