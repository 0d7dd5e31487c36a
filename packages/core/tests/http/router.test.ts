import { describe, expect, it } from '@jest/globals';
import { MethodNotAllowedError, RouteNotFoundError } from '../../src/errors/agent-errors';
import { Router } from '../../src/http/router';

describe('Router', () => {
  it('finds an exact path, with or without a trailing slash, and its parameterised neighbours', () => {
    // Prepare
    const router = new Router<string>()
      .add(['GET'], '/api/v1/test/health', 'health')
      .add(['POST'], '/api/v1/agent/execute/:type/:name', 'execute');

    // Act and Assess
    expect(router.match('GET', '/api/v1/test/health')).toEqual({ handler: 'health', params: {} });
    expect(router.match('GET', '/api/v1/test/health/').handler).toBe('health');
    expect(router.match('POST', '/api/v1/agent/execute/pg%2Fx/q').params).toEqual({ type: 'pg/x', name: 'q' });
    expect(() => router.match('POST', '/api/v1/test/health')).toThrow(MethodNotAllowedError);
    expect(() => router.match('GET', '/api/v1/test/other')).toThrow(RouteNotFoundError);
  });

  it('keeps the table order: an earlier route that matches the same path wins over a later exact one', () => {
    // Prepare
    const router = new Router<string>().add(['GET'], '/files/*key', 'files').add(['GET'], '/files/readme', 'readme');

    // Act
    const match = router.match('GET', '/files/readme');

    // Assess
    expect(match).toEqual({ handler: 'files', params: { key: 'readme' } });
  });

  it('falls back to the table when the exact route does not take the method', () => {
    // Prepare
    const router = new Router<string>().add(['GET'], '/x/y', 'get').add(['POST'], '/x/:id', 'post');

    // Act and Assess
    expect(router.match('POST', '/x/y')).toEqual({ handler: 'post', params: { id: 'y' } });
  });
});
