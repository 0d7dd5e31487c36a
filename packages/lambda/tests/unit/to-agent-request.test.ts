import { NON_UTF8_BYTES, UNICODE_TEXT } from '@artemis/testkit';
import { describe, expect, it } from '@jest/globals';
import { eventKindOf } from '../../src/event-kind';
import { toAgentRequest } from '../../src/to-agent-request';
import { fixtureEvent } from '../support/events';

function requestFrom(fixture: string) {
  const event = fixtureEvent(fixture);
  return toAgentRequest(eventKindOf(event), event);
}

describe('toAgentRequest', () => {
  it('turns the seed README direct-invoke payload into a GET with string query values', () => {
    // Act
    const request = requestFrom('direct-invoke-seed-health');
    // Assess
    expect(request).toEqual({
      method: 'GET',
      path: '/api/v1/test/health',
      query: { trace_id: '1234', full: 'false' },
      headers: {},
      body: Buffer.alloc(0),
    });
  });

  it('decodes a base64 body to the exact bytes, never through a UTF-8 string', () => {
    // Act
    const request = requestFrom('function-url-base64-non-utf8-body');
    // Assess
    expect(request.method).toBe('POST');
    expect(request.body.equals(NON_UTF8_BYTES)).toBe(true);
  });

  it('keeps a unicode text body as its UTF-8 bytes', () => {
    // Act
    const request = requestFrom('apigw-v1-unicode-text-body');
    // Assess
    expect(request.body.toString('utf8')).toContain(UNICODE_TEXT);
    expect(request.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('reads a v1 multi-value query as API Gateway hands it over: already decoded', () => {
    // Act
    const request = requestFrom('apigw-v1-multi-value-query-decoded');
    // Assess
    expect(request.query).toEqual({ trace_id: ['first one', 'a b+c'] });
  });

  it('reads a v2 query from rawQueryString, not from the comma-joined queryStringParameters', () => {
    // Act
    const request = requestFrom('apigw-v2-multi-value-query');
    // Assess
    expect(request.query).toEqual({ trace_id: ['first one', 'second'], flag: '' });
  });

  it('decodes ALB query keys and values, which ALB leaves URL-encoded', () => {
    // Act
    const request = requestFrom('alb-multi-value-query-still-encoded');
    // Assess
    expect(request.query).toEqual({ trace_id: ['a b+c', 'second'], naïve: 'café' });
  });

  it('lower-cases header names from multi-value headers', () => {
    // Act
    const request = requestFrom('apigw-v1-rest-proxy');
    // Assess
    expect(request.headers['user-agent']).toBe('curl/8.5.0');
    expect(request.headers).not.toHaveProperty('User-Agent');
  });

  it('joins v2 cookies back into a cookie header', () => {
    // Prepare
    const event = { ...fixtureEvent('apigw-v2-http-api'), cookies: ['a=1', 'b=2'] };
    // Act
    const request = toAgentRequest('apigw-v2', event);
    // Assess
    expect(request.headers.cookie).toBe('a=1; b=2');
  });

  it('JSON-encodes the object body of a direct invoke', () => {
    // Prepare
    const event = { path: '/api/v1/test/health', httpMethod: 'post', body: { trace_id: 'x' } };
    // Act
    const request = toAgentRequest('apigw-v1', event);
    // Assess
    expect(request.method).toBe('POST');
    expect(request.body.toString('utf8')).toBe('{"trace_id":"x"}');
  });
});
