import { describe, expect, it } from '@jest/globals';
import { eventKindOf } from '../../src/event-kind';
import { fixtureEvent } from '../support/events';

describe('eventKindOf', () => {
  it.each([
    ['apigw-v1-rest-proxy', 'apigw-v1'],
    ['apigw-v1-unicode-text-body', 'apigw-v1'],
    ['apigw-v2-http-api', 'apigw-v2'],
    ['function-url', 'apigw-v2'],
    ['alb-single-value-headers', 'alb'],
    ['alb-multi-value-headers', 'alb'],
    ['direct-invoke-seed-health', 'apigw-v1'],
  ])('classifies %s as %s', (fixture, kind) => {
    // Prepare
    const event = fixtureEvent(fixture);
    // Act
    const actual = eventKindOf(event);
    // Assess
    expect(actual).toBe(kind);
  });

  it('keeps a REST v1 event that carries rawPath (custom-domain base path mapping) as v1', () => {
    // Prepare: hono#5015, rawPath without requestContext.http
    const event = { ...fixtureEvent('apigw-v1-rest-proxy'), rawPath: '/base/api/v1/test/health' };
    // Act
    const actual = eventKindOf(event);
    // Assess
    expect(actual).toBe('apigw-v1');
  });

  it.each([[null], [undefined], ['text'], [42], [{}]])('treats %p as a direct invoke (v1)', (event) => {
    // Act
    const actual = eventKindOf(event);
    // Assess
    expect(actual).toBe('apigw-v1');
  });
});
