import type { AgentRequest } from '../protocol/agent-request';
import { parseJsonObjectBody } from './json-body';

/** SPEC §2: GET reads parameters from the query string, POST from a JSON object body. */
export function readParams(request: AgentRequest, maxJsonDepth: number): Record<string, unknown> {
  if (request.method !== 'POST') {
    // fromEntries keeps a `__proto__` parameter an own property instead of a prototype.
    return Object.fromEntries(
      Object.entries(request.query).map(([key, value]) => [key, typeof value === 'string' ? value : value[0]]),
    );
  }
  return parseJsonObjectBody(request.body, maxJsonDepth);
}

/** A trace id from the parameters, when it is a non-empty string or a number. */
export function traceIdOf(params: Record<string, unknown>): string | undefined {
  const value = params.trace_id;
  if (typeof value === 'string' && value) return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** Python-style flag: true for `true` or any casing of the string "true". */
export function isTrue(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}
