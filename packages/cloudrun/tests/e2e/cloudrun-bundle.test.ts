import { connect } from 'node:net';
import { join } from 'node:path';
import {
  adapterCases,
  buildForTest,
  call,
  fetchAnswer,
  fixtureEnv,
  fixtureOperation,
  type StartedProcess,
  startProcess,
} from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

/*
 * End to end: `node dist/cloudrun/index.mjs`, built into a temp folder with no node_modules above it, called over
 * HTTP with fetch: the conformance table, JSON-only errors, Cloud Logging lines, and the SIGTERM drain.
 */
const TRACE = '105445aa7843bc8bf206b12000100000';
let bundle: Awaited<ReturnType<typeof buildForTest>>;
let server: StartedProcess;

function startBundle(): Promise<StartedProcess> {
  return startProcess(process.execPath, [join(bundle.dir, 'cloudrun/index.mjs')], {
    env: {
      ...fixtureEnv({ MCD_LOG_LEVEL: 'info' }),
      PATH: process.env.PATH,
      PORT: '0',
      MCD_LISTEN_HOST: '127.0.0.1',
      GOOGLE_CLOUD_PROJECT: 'test-project',
      // The server's own limit on a stalled body (its default is 10 s), small enough for a test to see it cut.
      MCD_SERVER_BODY_IDLE_TIMEOUT_MS: '1000',
      // Applied by prepareEnvironment before the configuration is parsed.
      MCD_ADDITIONAL_ENV_VARS: JSON.stringify({ MCD_AGENT_WRAPPER_TYPE: 'ADDITIONAL' }),
    },
    ready: /listening on (http:\/\/[\d.:]+)/,
  });
}

beforeAll(async () => {
  bundle = await buildForTest('cloudrun');
  server = await startBundle();
}, 180_000); // building the bundle on a loaded machine: the hook's time is not what is tested

afterAll(async () => {
  await server?.stop();
  await bundle?.remove();
});

describe('the Cloud Run bundle over HTTP', () => {
  it.each(adapterCases('GCP').map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    // Act
    const answer = await fetchAnswer(server.ready, testCase.call);
    // Assess
    testCase.check(answer);
  });

  it('applies MCD_ADDITIONAL_ENV_VARS at start-up (prepareEnvironment runs in the entry)', async () => {
    // Act
    const answer = await fetchAnswer(server.ready, { method: 'GET', path: '/api/v1/test/health', headers: {} });

    // Assess
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString('utf8'))).toMatchObject({
      platform: 'GCP',
      env: { MCD_AGENT_WRAPPER_TYPE: 'ADDITIONAL' },
    });
  });

  it('answers malformed JSON with a JSON envelope, never an HTML page', async () => {
    // Act
    const answer = await fetchAnswer(server.ready, {
      method: 'POST',
      path: '/api/v1/agent/execute/fixture/x',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('{not json'),
    });
    // Assess
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(JSON.parse(answer.body.toString('utf8')).__mcd_exception__).toMatch(
      /^BadRequestError: Malformed JSON in request body/,
    );
  });

  it("cuts a request body that stalls with a 408 envelope: the server's own limits apply to the Cloud Run server", async () => {
    // Prepare
    const url = new URL(server.ready);
    const socket = connect(Number(url.port), url.hostname);
    socket.write('POST /api/v1/test/health HTTP/1.1\r\nHost: run\r\nContent-Length: 50\r\n\r\n{');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));

    // Act
    await new Promise((resolve) => socket.once('close', resolve));

    // Assess
    const [head = '', body = ''] = Buffer.concat(received).toString('utf8').split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect(JSON.parse(body).__mcd_exception__).toBe(
      'RequestTimeoutError: Request body arrived too slowly (nothing for 1000 ms, or under 1024 bytes/s); connection closed',
    );
  });

  it('writes Cloud Logging lines with severity and the request trace', async () => {
    // Act
    await fetchAnswer(
      server.ready,
      {
        method: 'POST',
        path: '/api/v1/agent/execute/fixture/echo',
        headers: { 'content-type': 'application/json' },
        body: fixtureOperation([call('echo', 1)]),
      },
      { 'x-cloud-trace-context': `${TRACE}/7;o=1` },
    );
    // Assess: the answer can come back before the log line has come through the child's stdout pipe: wait for it
    // (the trace shows up in no other line; jest's timeout bounds a line that never comes).
    while (!server.stdout().includes(`traces/${TRACE}`)) await new Promise((resolve) => setTimeout(resolve, 20));
    const lines = server
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({
        severity: 'INFO',
        message: 'Executing operation: fixture/echo',
        mcd_trace_id: 'trace-1',
        'logging.googleapis.com/trace': `projects/test-project/traces/${TRACE}`,
        'logging.googleapis.com/spanId': '7',
      }),
    );
  });

  it('finishes an in-flight request on SIGTERM, then exits 0', async () => {
    // Prepare: a second server, so the shared one stays up
    const draining = await startBundle();
    const inFlight = fetchAnswer(draining.ready, {
      method: 'POST',
      path: '/api/v1/agent/execute/fixture/drain',
      headers: { 'content-type': 'application/json' },
      body: fixtureOperation([call('untilSigterm')]),
    });
    // The operation is running (and will only answer once SIGTERM has arrived).
    while (!draining.stderr().includes('fixture: waiting for SIGTERM')) await new Promise((r) => setTimeout(r, 20));
    // Act
    const exitCode = draining.stop();
    // Assess
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString('utf8'))).toEqual({
      __mcd_result__: 'answered after SIGTERM',
      __mcd_trace_id__: 'trace-1',
    });
    await expect(exitCode).resolves.toBe(0);
    expect(draining.stdout()).toContain('Received SIGTERM, draining in-flight requests');
  });
});
