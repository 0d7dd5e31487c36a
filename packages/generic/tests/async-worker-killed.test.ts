import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestAgent } from '@artemis/core/testing';
import { call, FIXTURE_CONNECTOR_MODULE, freePort, startProcess } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

/*
 * A worker killed mid-job (issue 12): the local server, a child process, runs an async job in-process and is killed
 * with SIGKILL while the job runs. Another agent over the same storage (as any instance answers a status call) reads
 * it Running until its deadline and Failed after it, with no writer left; its clock is injected, so nothing waits.
 */
const root = new URL('../../../', import.meta.url).pathname;
let storage: string;

beforeAll(async () => {
  storage = await mkdtemp(join(tmpdir(), 'artemis-killed-'));
});

afterAll(async () => {
  await rm(storage, { recursive: true, force: true });
});

describe('an async job whose worker is killed', () => {
  it('reads Running while within its deadline and Failed with the timeout error after it', async () => {
    // Prepare
    const port = await freePort();
    const server = await startProcess(
      `${root}node_modules/.bin/tsx`,
      [`${root}packages/generic/src/generic-entry.ts`],
      {
        env: {
          ...process.env,
          PORT: String(port),
          MCD_STORAGE: 'FILESYSTEM',
          MCD_STORAGE_PATH: storage,
          MCD_CONNECTOR_MODULES: FIXTURE_CONNECTOR_MODULE,
          MCD_LOG_LEVEL: 'info',
        },
        ready: /Artemis agent listening/,
      },
    );
    const url = `http://127.0.0.1:${port}`;
    const submitted = await fetch(`${url}/async/api/v1/agent/execute/fixture/long`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operation: { trace_id: 'killed-1', commands: [call('sleep', 600_000)] } }),
    });
    const id = ((await submitted.json()) as { __mcd_request_id__: string }).__mcd_request_id__;
    let running: Record<string, unknown> = {};
    for (let attempt = 0; attempt < 1500 && running.__mcd_status__ !== 'Running'; attempt++) {
      running = (await (await fetch(`${url}/async/api/v1/status/${id}`)).json()) as Record<string, unknown>;
      if (running.__mcd_status__ !== 'Running') await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Act
    process.kill(-(server.child.pid as number), 'SIGKILL');
    await server.exited;
    const created = Date.parse(running.__mcd_created__ as string);
    let now = created + 60_000;
    const reader = await startTestAgent({ MCD_STORAGE: 'FILESYSTEM', MCD_STORAGE_PATH: storage }, { clock: () => now });
    try {
      const before = (await (await reader.get(`/async/api/v1/status/${id}`)).json()) as Record<string, unknown>;
      now = created + 885_000 + 1;
      const after = (await (await reader.get(`/async/api/v1/status/${id}`)).json()) as Record<string, unknown>;
      // Assess
      expect(submitted.status).toBe(202);
      expect(server.child.signalCode).toBe('SIGKILL');
      expect(before).toMatchObject({ __mcd_status__: 'Running', __mcd_trace_id__: 'killed-1' });
      expect(after).toEqual({
        __mcd_status__: 'Failed',
        __mcd_created__: running.__mcd_created__,
        __mcd_last_updated__: expect.any(String),
        __mcd_error__: 'Activity timed out after 885 seconds.',
        __mcd_trace_id__: 'killed-1',
      });
    } finally {
      await reader.close();
    }
  });
});
