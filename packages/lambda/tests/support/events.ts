import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { type HttpAnswer, type HttpCall, queryString } from '@artemis/testkit';
import { expect } from '@jest/globals';
import { isTextContentType } from '../../src/binary';
import type { LambdaResult } from '../../src/lambda-types';

/** A fixture event from tests/fixtures/events (a fresh copy each time, so tests can change it). */
export function fixtureEvent(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../fixtures/events/${name}.json`, import.meta.url), 'utf8'));
}

/** The ways an HTTP call reaches a Lambda function, each built on a real event fixture. */
export const VARIANTS = [
  'apigw-v1',
  'apigw-v1-binary-media-types',
  'apigw-v2',
  'function-url',
  'alb-single-value',
  'alb-multi-value',
  'direct-invoke',
] as const;
export type Variant = (typeof VARIANTS)[number];

/** Transports that carry one value per query key: ALB in single-value mode keeps the last, a direct invoke too. */
export const SINGLE_VALUE_QUERY: readonly Variant[] = ['alb-single-value', 'direct-invoke'];

export function eventFor(variant: Variant, call: HttpCall): Record<string, unknown> {
  const headers = { ...call.headers };
  // A gateway passes text as text; bytes that are not UTF-8 can only travel base64-encoded.
  const text = isTextContentType(headers['content-type']) && (call.body === undefined || isUtf8(call.body));
  const entries = Object.entries(call.query ?? {}).map(
    ([key, value]) => [key, typeof value === 'string' ? [value] : [...value]] as const,
  );
  const last = (values: readonly string[]) => values[values.length - 1] as string;
  switch (variant) {
    case 'apigw-v1':
    case 'apigw-v1-binary-media-types': {
      const event = fixtureEvent('apigw-v1-rest-proxy');
      // API Gateway hands query values over decoded; with binaryMediaTypes ['*/*'] every body arrives base64.
      const base64 = variant === 'apigw-v1-binary-media-types' || !text;
      return {
        ...event,
        httpMethod: call.method,
        path: call.path,
        headers: { ...(event.headers as object), ...headers },
        multiValueHeaders: {
          ...(event.multiValueHeaders as object),
          ...Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
        },
        queryStringParameters: entries.length ? Object.fromEntries(entries.map(([k, v]) => [k, last(v)])) : null,
        multiValueQueryStringParameters: entries.length ? Object.fromEntries(entries) : null,
        ...bodyFields(call.body, base64, null),
      };
    }
    case 'apigw-v2':
    case 'function-url': {
      const event = fixtureEvent(variant === 'apigw-v2' ? 'apigw-v2-http-api' : 'function-url');
      const context = event.requestContext as Record<string, unknown>;
      // HTTP API base64-encodes every non-text body; a Function URL is made to do it for all of them here.
      const base64 = variant === 'function-url' || !text;
      return {
        ...event,
        rawPath: call.path,
        rawQueryString: queryString(call.query),
        ...(entries.length
          ? { queryStringParameters: Object.fromEntries(entries.map(([k, v]) => [k, v.join(',')])) }
          : {}),
        headers: { ...(event.headers as object), ...headers },
        requestContext: { ...context, http: { ...(context.http as object), method: call.method, path: call.path } },
        ...bodyFields(call.body, base64, undefined),
      };
    }
    case 'alb-single-value':
    case 'alb-multi-value': {
      const multi = variant === 'alb-multi-value';
      const event = fixtureEvent(multi ? 'alb-multi-value-headers' : 'alb-single-value-headers');
      // ALB leaves the query URL-encoded; in single-value mode it keeps the last value of a repeated key.
      const encoded = entries.map(([k, v]) => [encodeURIComponent(k), v.map(encodeURIComponent)] as const);
      const fields = multi
        ? {
            multiValueHeaders: {
              ...(event.multiValueHeaders as object),
              ...Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
            },
            multiValueQueryStringParameters: Object.fromEntries(encoded),
          }
        : {
            headers: { ...(event.headers as object), ...headers },
            queryStringParameters: Object.fromEntries(encoded.map(([k, v]) => [k, last(v)])),
          };
      return { ...event, httpMethod: call.method, path: call.path, ...fields, ...bodyFields(call.body, !text, '') };
    }
    case 'direct-invoke': {
      // What `aws lambda invoke --payload` sends: no requestContext, only what the caller typed.
      const event: Record<string, unknown> = { path: call.path, httpMethod: call.method };
      if (entries.length) event.queryStringParameters = Object.fromEntries(entries.map(([k, v]) => [k, last(v)]));
      if (call.headers) event.headers = headers;
      return { ...event, ...(call.body ? bodyFields(call.body, !text, undefined) : {}) };
    }
  }
}

function bodyFields(body: Buffer | undefined, base64: boolean, empty: unknown) {
  if (!body || body.length === 0) return { body: empty, isBase64Encoded: false };
  return { body: body.toString(base64 ? 'base64' : 'utf8'), isBase64Encoded: base64 };
}

/** The HTTP answer a client would see, after checking the result is well-formed for the event that asked. */
export function answerOf(event: Record<string, unknown>, result: LambdaResult): HttpAnswer {
  const kind = (event.requestContext as { elb?: unknown } | undefined)?.elb ? 'alb' : 'rawPath' in event ? 'v2' : 'v1';
  if (kind !== 'v2') expect(result).not.toHaveProperty('cookies');
  if (kind === 'alb') expect(result.statusDescription).toMatch(/^\d{3} \w/);
  const multi = kind !== 'v2' && event.multiValueHeaders !== undefined && event.multiValueHeaders !== null;
  expect(result.multiValueHeaders !== undefined).toBe(multi);
  expect(result.headers !== undefined).toBe(!multi);
  expect(typeof result.body).toBe('string');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = value;
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {}))
    headers[name.toLowerCase()] = values.join(', ');
  return {
    status: result.statusCode,
    headers,
    body: Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'),
  };
}
