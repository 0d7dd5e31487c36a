import { join } from 'node:path';
import { buildForTest, fixtureEnv, freePort, SAMPLE_PLUGIN, type StartedProcess, startProcess } from '@artemis/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';

/*
 * Issue 9 finding 3: one request killed the agent. Each bomb runs against the real agent (the built generic bundle)
 * in a child process with a 256 MiB heap, so the test is cheap and a failure cannot take jest down; after every
 * bomb the agent must still answer /health.
 */
const HEAP_MIB = 256;
const MiB = 1024 * 1024;
const GUARD_MESSAGE =
  /^Operation aborted while (running commands|storing a variable|calling \w+ on \w+|encoding the result): the heap holds \d+ MiB of its \d+ MiB limit( and \d+ MiB more were needed)? \(guard at 85%, MCD_MEMORY_GUARD_HEAP_FRACTION\)$/;

let bundle: Awaited<ReturnType<typeof buildForTest>>;
let agent: StartedProcess;

beforeAll(async () => {
  bundle = await buildForTest('generic');
  const port = await freePort();
  agent = await startProcess(
    process.execPath,
    [`--max-old-space-size=${HEAP_MIB}`, join(bundle.dir, 'generic/index.mjs')],
    {
      env: {
        ...fixtureEnv({ MCD_LOG_LEVEL: 'info', MCD_CONNECTOR_MODULES: SAMPLE_PLUGIN }),
        PATH: process.env.PATH,
        PORT: String(port),
        MCD_LISTEN_HOST: '127.0.0.1',
      },
      ready: /listening on (http:\/\/[\d.:]+)/,
    },
  );
});

afterAll(async () => {
  await agent?.stop();
  await bundle?.remove();
});

async function run(commands: unknown[]): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${agent.ready}/api/v1/agent/execute/sample/bomb`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ credentials: {}, operation: { trace_id: 'bomb', commands } }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const storedTimes = (times: number, command: (i: number) => Record<string, unknown>) =>
  Array.from({ length: times }, (_, i) => ({ ...command(i), store: `v${i}` }));
const refs = (name: string, times: number) => Array.from({ length: times }, () => ({ __reference__: name }));

describe(`memory bombs against the agent in a ${HEAP_MIB} MiB heap`, () => {
  afterEach(async () => {
    // Assess, after every bomb: the process is alive and answers.
    const health = await fetch(`${agent.ready}/api/v1/test/health`);
    expect(health.status).toBe(200);
    await expect(health.json()).resolves.toMatchObject({ platform: 'Generic' });
    expect(agent.child.exitCode).toBeNull();
  });

  it('refuses the issue’s bomb: ten stored "a".repeat(5e8).toUpperCase()', async () => {
    // Act
    const response = await run(
      storedTimes(10, () => ({
        method: 'value',
        args: ['a'],
        next: { method: 'repeat', args: [5e8], next: { method: 'toUpperCase' } },
      })),
    );

    // Assess
    expect(response).toEqual({
      status: 200,
      body: expect.objectContaining({
        __mcd_error__: 'Member repeat refused on string values',
        __mcd_error_type__: 'Forbidden',
        __mcd_trace_id__: 'bomb',
      }),
    });
  });

  it('aborts the same bomb built from allowed methods: 16 Mi characters upper-cased and stored ten times', async () => {
    // Prepare: 4 MiB sent, concatenated four times over (a rope: cheap), then each toUpperCase flattens 16 MiB.
    const commands = [
      { method: 'value', args: ['a'.repeat(4 * MiB)], store: 's' },
      { target: 's', method: 'concat', args: refs('s', 3), store: 's' },
      ...storedTimes(10, () => ({ target: 's', method: 'toUpperCase' })),
    ];

    // Act
    const response = await run(commands);

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ __mcd_error_type__: 'ResourceExhausted', __mcd_trace_id__: 'bomb' });
    expect(response.body.__mcd_error__).toMatch(GUARD_MESSAGE);
    expect(response.body.__mcd_exception__).toBe(`ResourceExhaustedError: ${response.body.__mcd_error__}`);
  });

  it('aborts big arrays made by allowed methods and copied until the heap is full', async () => {
    // Prepare: a 1 Mi-element array from split, then forty copies of it stored.
    const commands = [
      { method: 'value', args: ['x'.repeat(MiB)], next: { method: 'split', args: [''], store: 'a' } },
      ...storedTimes(40, () => ({ target: 'a', method: 'toReversed' })),
    ];

    // Act
    const response = await run(commands);

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ __mcd_error_type__: 'ResourceExhausted', __mcd_trace_id__: 'bomb' });
    expect(response.body.__mcd_error__).toMatch(GUARD_MESSAGE);
  });

  it.each([
    ['one 4 MiB string referenced 2 000 times (8 GiB of text)', 4 * MiB, 2_000],
    ['one 1 MiB string referenced 200 times (200 MiB of text)', MiB, 200],
  ])('aborts the encoding of a huge result: %s', async (_what, size, times) => {
    // Prepare: small in memory (one string, many references), huge as text.
    const commands = [
      { method: 'value', args: ['b'.repeat(size)], store: 's' },
      { method: 'echo', args: refs('s', times) },
    ];

    // Act
    const response = await run(commands);

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ __mcd_error_type__: 'ResourceExhausted', __mcd_trace_id__: 'bomb' });
    expect(response.body.__mcd_error__).toMatch(/^Operation aborted while encoding the result: /);
  });

  it('still runs an ordinary operation afterwards', async () => {
    // Act
    const response = await run([{ method: 'value', args: ['fine'], next: { method: 'toUpperCase' } }]);

    // Assess
    expect(response).toEqual({ status: 200, body: { __mcd_result__: 'FINE', __mcd_trace_id__: 'bomb' } });
  });
});
