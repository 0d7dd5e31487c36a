import { type AgentRequest, appendQueryValue, encodeJsonBuffer, type QueryValues } from '@artemis/core/runtime';
import type { EventKind } from './event-kind';
import type { AlbEvent, ApiGatewayV1Event, ApiGatewayV2Event, HeaderMap, MultiValueMap } from './lambda-types';

type Headers = Record<string, string>;

const EMPTY = Buffer.alloc(0);

export function toAgentRequest(kind: EventKind, event: unknown): AgentRequest {
  switch (kind) {
    case 'alb':
      return fromAlb(event as AlbEvent);
    case 'apigw-v2':
      return fromApiGatewayV2(event as ApiGatewayV2Event);
    default:
      return fromApiGatewayV1((event ?? {}) as ApiGatewayV1Event);
  }
}

/**
 * REST v1 proxy events and direct invokes. API Gateway hands query values over already decoded, so they are used as
 * they are. A direct invoke may omit everything but `path`, send non-string query values (`"full": true`) or an
 * object body; the defaults below are what makes the seed README's `aws lambda invoke` payload work.
 */
export function fromApiGatewayV1(event: ApiGatewayV1Event): AgentRequest {
  const query: QueryValues = Object.create(null);
  const multi = event.multiValueQueryStringParameters;
  if (multi) {
    for (const [key, values] of Object.entries(multi)) if (values) setQuery(query, key, values.map(String));
  } else if (event.queryStringParameters) {
    for (const [key, value] of Object.entries(event.queryStringParameters)) {
      if (value !== undefined && value !== null) query[key] = String(value);
    }
  }
  return fromPayloadV1Fields(event, query);
}

/**
 * HTTP API and Function URL (payload 2.0). The query is parsed from `rawQueryString`, because
 * `queryStringParameters` joins repeated keys with commas. Cookies arrive apart from the headers.
 */
export function fromApiGatewayV2(event: ApiGatewayV2Event): AgentRequest {
  const query: QueryValues = Object.create(null);
  if (event.rawQueryString) {
    for (const [key, value] of new URLSearchParams(event.rawQueryString)) appendQueryValue(query, key, value);
  }
  const headers = headersOf(event.headers, undefined);
  if (event.cookies?.length) headers.cookie = event.cookies.join('; ');
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath || '/',
    query,
    headers,
    body: bodyOf(event.body, event.isBase64Encoded),
  };
}

/** ALB target events. Unlike API Gateway, ALB leaves query keys and values URL-encoded. */
export function fromAlb(event: AlbEvent): AgentRequest {
  const query: QueryValues = Object.create(null);
  const multi = event.multiValueQueryStringParameters;
  if (multi) {
    for (const [key, values] of Object.entries(multi)) {
      if (values) setQuery(query, decodeQueryComponent(key), values.map(decodeQueryComponent));
    }
  } else if (event.queryStringParameters) {
    for (const [key, value] of Object.entries(event.queryStringParameters)) {
      if (value !== undefined) appendQueryValue(query, decodeQueryComponent(key), decodeQueryComponent(value));
    }
  }
  return fromPayloadV1Fields(event, query);
}

/** REST v1 and ALB events share everything but the query's encoding. */
function fromPayloadV1Fields(event: ApiGatewayV1Event | AlbEvent, query: QueryValues): AgentRequest {
  return {
    method: (event.httpMethod ?? 'GET').toUpperCase(),
    path: event.path || '/',
    query,
    headers: headersOf(event.headers, event.multiValueHeaders),
    body: bodyOf(event.body, event.isBase64Encoded),
  };
}

/** Lower-case names; repeated headers joined with ", " (AgentRequest's rule). */
function headersOf(single: HeaderMap | null | undefined, multi: MultiValueMap | null | undefined): Headers {
  const headers: Headers = Object.create(null);
  if (multi) {
    for (const [name, values] of Object.entries(multi))
      if (values?.length) headers[name.toLowerCase()] = values.join(', ');
    return headers;
  }
  if (single)
    for (const [name, value] of Object.entries(single)) if (value !== undefined) headers[name.toLowerCase()] = value;
  return headers;
}

/**
 * The body as bytes, never as a decoded string: a base64 body may be gzip or any non-UTF-8 data (the UTF-8
 * round trip is what corrupted uploads in Powertools and SST). A direct invoke's object body is JSON-encoded.
 */
function bodyOf(body: unknown, isBase64Encoded: boolean | undefined): Buffer {
  if (body === undefined || body === null || body === '') return EMPTY;
  if (typeof body === 'string') return Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8');
  return encodeJsonBuffer(body);
}

function setQuery(query: QueryValues, key: string, values: string[]): void {
  if (values.length === 0) return;
  query[key] = values.length === 1 ? (values[0] as string) : values;
}

function decodeQueryComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    // A stray "%" is kept as sent rather than failing the whole request.
    return text;
  }
}
