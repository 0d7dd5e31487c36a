import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { call, closedPort, FIXTURE_CONNECTOR_MODULE, fixtureOperation } from '@artemis/testkit';
import { describe, expect, it } from '@jest/globals';

const root = new URL('../../../', import.meta.url).pathname;
const tsx = `${root}node_modules/.bin/tsx`;
const main = `${root}packages/generic/src/generic-entry.ts`;

/**
 * The generic entry point, run as users run it (from source through tsx, so no build is needed). Tests wait for
 * 'close', not 'exit': only then has everything the process wrote come through its pipes.
 */
function startMain(env: Record<string, string>): { child: ChildProcess; stdout: () => string; stderr: () => string } {
  const child = spawn(tsx, [main], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return { child, stdout: () => stdout, stderr: () => stderr };
}

/** Polls until `predicate` holds; how long that takes is the machine's business (jest's timeout bounds a hang). */
async function waitFor(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('the generic entry point', () => {
  // Start-up failures (invalid variables, broken plugins, a taken port) are tested through every built bundle in
  // scripts/tests/entry-points.test.ts; this is the source run users get from scripts/start.
  it('stops with one clear line naming an invalid PORT', async () => {
    // Prepare
    const { child, stderr } = startMain({ PORT: 'http' });

    // Act
    const [code] = (await once(child, 'close')) as [number];

    // Assess
    expect(code).toBe(1);
    expect(stderr().trim().split('\n')).toEqual([
      "artemis: Invalid configuration: PORT: expected a non-negative integer (got 'http')",
    ]);
  });

  it('finishes an in-flight request on SIGTERM, then exits 0', async () => {
    // Prepare
    const port = await closedPort();
    const { child, stdout, stderr } = startMain({
      PORT: String(port),
      MCD_CONNECTOR_MODULES: FIXTURE_CONNECTOR_MODULE,
    });
    await waitFor(() => stdout().includes('listening on'));
    const inFlight = fetch(`http://127.0.0.1:${port}/api/v1/agent/execute/fixture/drain`, {
      method: 'POST',
      body: fixtureOperation([call('untilSigterm')], { trace_id: 'drain' }),
    });
    // The operation is running, and answers only once SIGTERM has arrived.
    await waitFor(() => stderr().includes('fixture: waiting for SIGTERM'));

    // Act
    child.kill('SIGTERM');
    const response = await inFlight;
    const [code] = (await once(child, 'close')) as [number];

    // Assess
    await expect(response.json()).resolves.toEqual({
      __mcd_result__: 'answered after SIGTERM',
      __mcd_trace_id__: 'drain',
    });
    expect(code).toBe(0);
    expect(stdout()).toContain('Received SIGTERM, draining in-flight requests');
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });
});
