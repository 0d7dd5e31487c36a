import type { ApiGatewayV1Event } from './lambda-types';

/** Keys of the HTTP events (API Gateway v1/v2, ALB, Function URL): a payload that has one is not a bare payload. */
const HTTP_EVENT_KEYS = ['httpMethod', 'path', 'rawPath', 'routeKey', 'requestContext'] as const;
/** Keys of a webhook-destination payload (seed 002). */
const DESTINATION_KEYS = ['data_url', 'callback_url', 'webhook_id'] as const;

/**
 * A webhook-destination payload invoked directly (SPEC §14, seed 002: `aws lambda invoke` with
 * `{"data_url", "callback_url", "webhook_id", …}`, no HTTP event around it), as the REST event that POSTs it to
 * `/api/v1/destinations` — the destination MCD_DESTINATION_DEFAULT names. Undefined for anything else, so HTTP
 * events and the agent's own work events are never taken for one. A structural check only: the route validates.
 */
export function destinationEventOf(event: unknown): ApiGatewayV1Event | undefined {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return undefined;
  if (!DESTINATION_KEYS.some((key) => Object.hasOwn(event, key))) return undefined;
  if (HTTP_EVENT_KEYS.some((key) => Object.hasOwn(event, key))) return undefined;
  return {
    httpMethod: 'POST',
    path: '/api/v1/destinations',
    headers: { 'content-type': 'application/json' },
    body: event,
  };
}
