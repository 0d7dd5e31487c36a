import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adapterCases, fetchAnswer, fixtureEnv, NON_UTF8_BYTES } from '@artemis/testkit';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

/*
 * The registration module as functions-framework loads it, served by the framework's real Express stack
 * (`getTestServer` builds the production server without listening; we listen on an ephemeral port).
 */
let server: Server;
let url: string;

beforeAll(async () => {
  Object.assign(process.env, fixtureEnv({ MCD_LOG_LEVEL: 'error' }));
  await import('../../src/function-entry');
  server = getTestServer('artemis');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('functions-framework server with functions.http("artemis")', () => {
  // The framework's body-parser answers invalid JSON itself (below); every other case reaches the agent.
  const cases = adapterCases('GCP').filter((c) => !c.invalidJsonBody);
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    // Act
    const answer = await fetchAnswer(url, testCase.call);
    // Assess
    testCase.check(answer);
  });

  it('keeps the known gap: invalid JSON is answered by Express with HTML before the function runs', async () => {
    // Prepare: the reason the Cloud Run image serves from its own server (see server-entry.ts)
    const call = {
      method: 'POST',
      path: '/api/v1/agent/execute/fixture/x',
      headers: { 'content-type': 'application/json' },
    };
    // Act
    const answer = await fetchAnswer(url, { ...call, body: Buffer.from('{not json') });
    // Assess
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toMatch(/^text\/html/);
  });

  it('passes a body the parsers do not claim (octet-stream) through rawBody as bytes', async () => {
    // Prepare
    const call = {
      method: 'POST',
      path: '/api/v1/agent/execute/fixture/x',
      headers: { 'content-type': 'application/octet-stream' },
    };
    // Act
    const answer = await fetchAnswer(url, { ...call, body: NON_UTF8_BYTES });
    // Assess
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body.toString('utf8')).__mcd_error__).toBe('Request body is not valid UTF-8');
  });
});
