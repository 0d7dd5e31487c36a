import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { HTTPError } from '../../src/http/http-error';
import { retryAfterMs } from '../../src/http/http-exchange';
import { DEFAULT_RETRY_STATUS_RANGES, retryHttp } from '../../src/http/retry-policy';
import { execute, startConnectorsAgent, type TestAgent } from '../support/connectors-agent';
import { type LocalHttpServer, sendJson, startHttpServer } from '../support/local-http-server';

// Short delays keep the suite fast; Retry-After itself is checked with fake timers below.
const FAST = { tries: 3, delay: 0.01, backoff: 2, max_delay: 0.05 };

describe('http connector: do_request_with_retry over HTTP', () => {
  let agent: TestAgent;
  let server: LocalHttpServer;
  const script = new Map<string, number[]>();

  beforeAll(async () => {
    agent = await startConnectorsAgent();
    server = await startHttpServer((request, response) => {
      const path = new URL(request.url, 'http://x').pathname;
      const statuses = script.get(path) ?? [];
      const status = statuses.shift() ?? 200;
      if (status === 200) return sendJson(response, 200, { ok: true, path });
      sendJson(response, status, { error: status }, status === 429 ? { 'retry-after': '0' } : {});
    });
  });

  afterAll(async () => {
    await agent.close();
    await server.close();
  });

  const calls = (path: string) => server.requests.filter((request) => request.url === path).length;

  it('retries a 429 that carries Retry-After, then answers the success', async () => {
    // Prepare
    script.set('/limited', [429]);

    // Act
    const answer = await execute(agent, 'http', [
      {
        method: 'do_request_with_retry',
        kwargs: { url: `${server.url}/limited`, http_method: 'GET', retry_args: FAST },
      },
    ]);

    // Assess
    expect(answer.__mcd_result__).toEqual({ ok: true, path: '/limited' });
    expect(calls('/limited')).toBe(2);
  });

  it('gives up after `tries` attempts with the last HTTPError', async () => {
    // Prepare
    script.set('/down', [502, 502, 502, 502]);

    // Act
    const answer = await execute(agent, 'http', [
      { method: 'do_request_with_retry', kwargs: { url: `${server.url}/down`, http_method: 'GET', retry_args: FAST } },
    ]);

    // Assess
    expect(answer.__mcd_error_type__).toBe('HTTPError');
    expect(answer.__mcd_error_attrs__).toEqual({ status_code: 502, reason: 'Bad Gateway' });
    expect(answer.__mcd_error__).toBe('{"error":502}');
    expect(calls('/down')).toBe(3);
  });

  it('does not retry a status outside the ranges', async () => {
    // Prepare
    script.set('/bad', [400, 400]);

    // Act
    const answer = await execute(agent, 'http', [
      { method: 'do_request_with_retry', kwargs: { url: `${server.url}/bad`, http_method: 'GET', retry_args: FAST } },
    ]);

    // Assess
    expect(answer.__mcd_error_attrs__).toEqual({ status_code: 400, reason: 'Bad Request' });
    expect(calls('/bad')).toBe(1);
  });

  it('retries only the given retry_status_code_ranges', async () => {
    // Prepare
    script.set('/conflict', [409]);

    // Act
    const answer = await execute(agent, 'http', [
      {
        method: 'do_request_with_retry',
        kwargs: {
          url: `${server.url}/conflict`,
          http_method: 'GET',
          retry_status_code_ranges: [[409, 410]],
          retry_args: FAST,
        },
      },
    ]);

    // Assess
    expect(answer.__mcd_result__).toEqual({ ok: true, path: '/conflict' });
    expect(calls('/conflict')).toBe(2);
  });

  it('refuses unbounded retry_args', async () => {
    // Act
    const answer = await execute(agent, 'http', [
      {
        method: 'do_request_with_retry',
        kwargs: { url: `${server.url}/x`, retry_args: { tries: 1000 } },
      },
    ]);

    // Assess
    expect(answer.__mcd_error__).toBe('Invalid do_request_with_retry arguments: retry_args.tries: expected 1 to 10');
    expect(calls('/x')).toBe(0);
  });
});

describe('retry policy: Retry-After', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('waits at least the Retry-After delay before the next try', async () => {
    // Prepare
    jest.useFakeTimers();
    let attempts = 0;
    const attempt = async () => {
      attempts += 1;
      if (attempts === 1) throw new HTTPError('http://x/', 429, 'Too Many Requests', 'slow down', 5_000);
      return 'done';
    };

    // Act
    const result = retryHttp(attempt, DEFAULT_RETRY_STATUS_RANGES, { tries: 2, delay: 0 });
    await jest.advanceTimersByTimeAsync(4_999);
    const attemptsBeforeDelay = attempts;
    await jest.advanceTimersByTimeAsync(1);

    // Assess
    expect(attemptsBeforeDelay).toBe(1);
    await expect(result).resolves.toBe('done');
    expect(attempts).toBe(2);
  });

  it('does not wait for a Retry-After longer than the bound: the error is answered at once', async () => {
    // Prepare
    let attempts = 0;
    const attempt = async () => {
      attempts += 1;
      throw new HTTPError('http://x/', 503, 'Service Unavailable', 'maintenance', 3_600_000);
    };

    // Act
    const result = retryHttp(attempt, DEFAULT_RETRY_STATUS_RANGES, { tries: 3, delay: 0 });

    // Assess
    await expect(result).rejects.toThrow('maintenance');
    expect(attempts).toBe(1);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    // Prepare
    const now = Date.parse('2024-01-02T03:04:05Z');

    // Act
    const seconds = retryAfterMs('7', now);
    const date = retryAfterMs('Tue, 02 Jan 2024 03:04:15 GMT', now);
    const garbage = retryAfterMs('soon', now);

    // Assess
    expect([seconds, date, garbage]).toEqual([7_000, 10_000, undefined]);
  });
});
