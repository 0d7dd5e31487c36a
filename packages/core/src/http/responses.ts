import { AgentError } from '../errors/agent-errors';
import { statusOf, toErrorEnvelope } from '../errors/error-envelope';
import type { AgentResponse } from '../protocol/agent-response';
import { TRACE_ID_HEADER, WireKey } from '../protocol/wire-keys';

/** Headers every answer about a traced request carries (Deviation: Apollo echoed the trace on two routes only). */
export function traceHeaders(traceId: string | undefined): Record<string, string> {
  // A trace id that is not a valid header value (control characters, non-ASCII) is echoed in the body only.
  return traceId && HEADER_SAFE.test(traceId) ? { [TRACE_ID_HEADER]: traceId } : {};
}

const HEADER_SAFE = /^[\x20-\x7e]{1,1024}$/;

export function jsonResponse(body: unknown, traceId?: string, status = 200): AgentResponse {
  return { status, headers: traceHeaders(traceId), body };
}

/** `{"__mcd_result__": result, "__mcd_trace_id__": t}`. */
export function resultResponse(result: unknown, traceId: string | undefined): AgentResponse {
  const body: Record<string, unknown> = { [WireKey.result]: result };
  if (traceId) body[WireKey.traceId] = traceId;
  return jsonResponse(body, traceId);
}

export function errorResponse(error: unknown, traceId: string | undefined): AgentResponse {
  const headers = { ...traceHeaders(traceId), ...(error instanceof AgentError ? error.headers : {}) };
  return { status: statusOf(error), headers, body: toErrorEnvelope(error, { traceId }) };
}
