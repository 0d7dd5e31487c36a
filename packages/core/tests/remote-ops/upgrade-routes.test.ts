import { afterEach, describe, expect, it } from '@jest/globals';
import type { AgentUpdater, RemoteOps, UpdateRequest } from '../../src/remote-ops/remote-ops';
import { startTestAgent, type TestAgent } from '../support/test-agent';

/*
 * The core's upgrade, upgrade-log and infra routes over the real local server. The updater here is a recording
 * stand-in for the adapters' (each real updater is driven by its SDK against an HTTP fake in its own package).
 */

const RUNNING = '123456789012.dkr.ecr.us-east-1.amazonaws.com/mcd-agent:1.1.0';
const NOW = new Date('2026-03-01T12:00:00Z');

function recordingUpdater(current = RUNNING) {
  const updates: UpdateRequest[] = [];
  const logQueries: { start: Date; limit: number }[] = [];
  const updater: AgentUpdater = {
    currentImage: async () => current,
    update: async (request) => {
      updates.push(request);
      return { status: 'UPDATE_IN_PROGRESS' };
    },
    updateLogs: async (start, limit) => {
      logQueries.push({ start, limit });
      return [{ resource_status: 'UPDATE_COMPLETE' }];
    },
    infraDetails: async () => ({ template: '', parameters: [] }),
  };
  return { updater, updates, logQueries };
}

let agent: TestAgent | undefined;
afterEach(async () => {
  await agent?.close();
  agent = undefined;
});

async function start(env: Record<string, string>, remoteOps: RemoteOps = {}): Promise<TestAgent> {
  agent = await startTestAgent({ MCD_AGENT_VERSION: '1.1.0', ...env }, { remoteOps: { now: () => NOW, ...remoteOps } });
  return agent;
}

async function json(response: Response): Promise<{ status: number; body: Record<string, unknown> }> {
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('POST /api/v1/upgrade', () => {
  it('answers "No updater configured" with the trace id on the generic runtime', async () => {
    // Prepare
    const server = await start({ MCD_AGENT_IS_REMOTE_UPGRADABLE: 'true' });

    // Act
    const { status, body } = await json(await server.post('/api/v1/upgrade', { trace_id: 't-1', image: RUNNING }));

    // Assess
    expect(status).toBe(200);
    expect(body).toMatchObject({
      __mcd_error__: 'Update failed: No updater configured',
      __mcd_exception__: 'RemoteOperationFailedError: Update failed: No updater configured',
      __mcd_trace_id__: 't-1',
    });
  });

  it('refuses while MCD_AGENT_IS_REMOTE_UPGRADABLE is not true, without touching the runtime', async () => {
    // Prepare
    const { updater, updates } = recordingUpdater();
    const server = await start({}, { updater: async () => updater });

    // Act
    const { status, body } = await json(await server.post('/api/v1/upgrade', { trace_id: 't-2', image: RUNNING }));

    // Assess
    expect(status).toBe(200);
    expect(body.__mcd_error__).toBe('Update failed: Remote upgrades are disabled for this agent');
    expect(body.__mcd_trace_id__).toBe('t-2');
    expect(updates).toEqual([]);
  });

  it('runs the gate against the running image and refuses a foreign registry', async () => {
    // Prepare
    const { updater, updates } = recordingUpdater();
    const server = await start({ MCD_AGENT_IS_REMOTE_UPGRADABLE: 'true' }, { updater: async () => updater });

    // Act
    const { body } = await json(
      await server.post('/api/v1/upgrade', { trace_id: 't-3', image: 'evil.example.com/agent:9.9.9' }),
    );

    // Assess
    expect(body.__mcd_error__).toBe(
      "Update failed: Upgrade rejected: image 'evil.example.com/agent:9.9.9' is not from an allowed registry/namespace",
    );
    expect(updates).toEqual([]);
  });

  it('forwards image, timeout and every other key to the updater and answers its result', async () => {
    // Prepare
    const { updater, updates } = recordingUpdater();
    const server = await start({ MCD_AGENT_IS_REMOTE_UPGRADABLE: 'TRUE' }, { updater: async () => updater });
    const image = '123456789012.dkr.ecr.*.amazonaws.com/mcd-agent:1.2.0';

    // Act
    const { status, body } = await json(
      await server.post('/api/v1/upgrade', {
        trace_id: 't-4',
        image,
        timeout: '120',
        wait_for_completion: true,
        parameters: { MemorySize: 2048 },
        note: 'kept',
      }),
    );

    // Assess
    expect(status).toBe(200);
    expect(body).toEqual({ __mcd_result__: { status: 'UPDATE_IN_PROGRESS' }, __mcd_trace_id__: 't-4' });
    expect(updates).toEqual([
      {
        image,
        timeoutSeconds: 120,
        parameters: { MemorySize: 2048 },
        waitForCompletion: true,
        options: { note: 'kept' },
      },
    ]);
  });

  it('updates parameters alone without an image (no gate to pass)', async () => {
    // Prepare
    const { updater, updates } = recordingUpdater(undefined as unknown as string);
    const server = await start({ MCD_AGENT_IS_REMOTE_UPGRADABLE: 'true' }, { updater: async () => updater });

    // Act
    const { body } = await json(await server.post('/api/v1/upgrade', { parameters: { MemorySize: 512 } }));

    // Assess
    expect(body.__mcd_result__).toEqual({ status: 'UPDATE_IN_PROGRESS' });
    expect(updates).toEqual([
      {
        image: undefined,
        timeoutSeconds: undefined,
        parameters: { MemorySize: 512 },
        waitForCompletion: false,
        options: {},
      },
    ]);
  });

  it.each([
    [{ trace_id: 't-5', timeout: 'soon' }, 'Invalid value for timeout parameter: expected an integer from 1 to 3600'],
    [{ trace_id: 't-5', image: 42 }, 'Invalid value for image parameter: expected a string'],
    [
      { trace_id: 't-5', parameters: { MemorySize: [1] } },
      'Invalid value for parameters parameter: expected an object of strings, numbers and booleans',
    ],
  ])('answers a bad parameter with a 400 envelope (%j)', async (request, message) => {
    // Prepare
    const { updater } = recordingUpdater();
    const server = await start({ MCD_AGENT_IS_REMOTE_UPGRADABLE: 'true' }, { updater: async () => updater });

    // Act
    const { status, body } = await json(await server.post('/api/v1/upgrade', request));

    // Assess
    expect(status).toBe(400);
    expect(body).toMatchObject({ __mcd_error__: message, __mcd_trace_id__: 't-5' });
  });

  it('is POST only', async () => {
    // Prepare
    const server = await start({});

    // Act
    const response = await server.get('/api/v1/upgrade');

    // Assess
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });
});

describe('GET|POST /api/v1/upgrade/logs', () => {
  it('reads the last ten minutes, 100 events, by default', async () => {
    // Prepare
    const { updater, logQueries } = recordingUpdater();
    const server = await start({}, { updater: async () => updater });

    // Act
    const { body } = await json(await server.get('/api/v1/upgrade/logs?trace_id=t-6'));

    // Assess
    expect(body).toEqual({
      __mcd_result__: { events: [{ resource_status: 'UPDATE_COMPLETE' }] },
      __mcd_trace_id__: 't-6',
    });
    expect(logQueries).toEqual([{ start: new Date('2026-03-01T11:50:00Z'), limit: 100 }]);
  });

  it('takes start_time with an offset and limit from a POST body', async () => {
    // Prepare
    const { updater, logQueries } = recordingUpdater();
    const server = await start({}, { updater: async () => updater });

    // Act
    await server.post('/api/v1/upgrade/logs', { start_time: '2026-02-28T10:00:00+02:00', limit: 5 });

    // Assess
    expect(logQueries).toEqual([{ start: new Date('2026-02-28T08:00:00Z'), limit: 5 }]);
  });

  it('answers "get_update_logs failed: No updater configured" on the generic runtime', async () => {
    // Prepare
    const server = await start({});

    // Act
    const { status, body } = await json(await server.get('/api/v1/upgrade/logs?trace_id=t-7'));

    // Assess
    expect(status).toBe(200);
    expect(body).toMatchObject({
      __mcd_error__: 'get_update_logs failed: No updater configured',
      __mcd_trace_id__: 't-7',
    });
  });

  it('answers a malformed start_time with a 400', async () => {
    // Prepare
    const { updater } = recordingUpdater();
    const server = await start({}, { updater: async () => updater });

    // Act
    const { status, body } = await json(await server.get('/api/v1/upgrade/logs?trace_id=t-8&start_time=yesterday'));

    // Assess
    expect(status).toBe(400);
    expect(body).toMatchObject({
      __mcd_error__: 'Invalid value for start_time parameter: expected an ISO 8601 date and time',
      __mcd_trace_id__: 't-8',
    });
  });
});

describe('GET|POST /api/v1/infra/details', () => {
  it("answers Apollo's error on the generic runtime, with the trace id", async () => {
    // Prepare
    const server = await start({});

    // Act
    const { body } = await json(await server.get('/api/v1/infra/details?trace_id=t-9'));

    // Assess
    expect(body).toMatchObject({
      __mcd_error__: 'get_infra_details failed: No platform_provider set',
      __mcd_trace_id__: 't-9',
    });
  });

  it("answers the runtime's details", async () => {
    // Prepare
    const { updater } = recordingUpdater();
    const server = await start({}, { updater: async () => updater });

    // Act
    const { body } = await json(await server.post('/api/v1/infra/details', { trace_id: 't-10' }));

    // Assess
    expect(body).toEqual({ __mcd_result__: { template: '', parameters: [] }, __mcd_trace_id__: 't-10' });
  });
});
