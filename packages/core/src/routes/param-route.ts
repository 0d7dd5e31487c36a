import type { RouteContext, RouteHandler } from '../agent/agent-services';
import { readParams, traceIdOf } from '../http/request-params';
import { errorResponse } from '../http/responses';
import { runWithLogContext } from '../logging/log-context';
import { firstQueryValue } from '../protocol/agent-request';
import type { AgentResponse } from '../protocol/agent-response';

export type ParamRouteBody = (
  params: Record<string, unknown>,
  traceId: string | undefined,
  context: RouteContext,
) => Promise<AgentResponse>;

/**
 * A GET/POST route whose parameters come from the query or a JSON body (SPEC §2). Errors become envelopes that
 * carry the request's trace id, and the route runs inside its log context.
 */
export function paramRoute(operationName: string, body: ParamRouteBody): RouteHandler {
  return async (context) => {
    let traceId = firstQueryValue(context.request.query, 'trace_id') || undefined;
    try {
      const params = readParams(context.request, context.services.config.limits.maxJsonDepth);
      traceId = traceIdOf(params) ?? traceId;
      return await runWithLogContext({ mcd_trace_id: traceId, mcd_operation_name: operationName }, () =>
        body(params, traceId, context),
      );
    } catch (error) {
      return errorResponse(error, traceId);
    }
  };
}
