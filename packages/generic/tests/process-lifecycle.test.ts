import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closedPort, SAMPLE_PLUGIN } from '@artemis/testkit';
import { describe, expect, it } from '@jest/globals';

const root = new URL('../../../', import.meta.url).pathname;
const tsx = `${root}node_modules/.bin/tsx`;
const main = `${root}packages/generic/src/generic-entry.ts`;

/** The generic entry point, run as users run it (from source through tsx, so no build is needed). */
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

async function waitFor(predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the generic entry point', () => {
  // Start-up failures (invalid variables, broken plugins, a taken port) are tested through every built bundle in
  // scripts/tests/entry-points.test.ts; this is the source run users get from scripts/start.
  it('stops with one clear line naming an invalid PORT', async () => {
    // Prepare
    const { child, stderr } = startMain({ PORT: 'http' });

    // Act
    const [code] = (await once(child, 'exit')) as [number];

    // Assess
    expect(code).toBe(1);
    expect(stderr().trim().split('\n')).toEqual([
      "artemis: Invalid configuration: PORT: expected a non-negative integer (got 'http')",
    ]);
  });

  it('finishes an in-flight request on SIGTERM, then exits 0', async () => {
    // Prepare
    const port = await closedPort();
    const { child, stdout } = startMain({ PORT: String(port), MCD_CONNECTOR_MODULES: SAMPLE_PLUGIN });
    await waitFor(() => stdout().includes('listening on'));
    const inFlight = fetch(`http://127.0.0.1:${port}/api/v1/agent/execute/sample/slow`, {
      method: 'POST',
      body: JSON.stringify({ operation: { trace_id: 'drain', commands: [{ method: 'slow', args: [700] }] } }),
    });
    await waitFor(() => stdout().includes('Executing operation: sample/slow'));

    // Act
    child.kill('SIGTERM');
    const response = await inFlight;
    const [code] = (await once(child, 'exit')) as [number];

    // Assess
    await expect(response.json()).resolves.toEqual({ __mcd_result__: 'finished', __mcd_trace_id__: 'drain' });
    expect(code).toBe(0);
    expect(stdout()).toContain('Received SIGTERM, draining in-flight requests');
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });
});
