import { afterEach, describe, expect, it } from '@jest/globals';
import { currentOperation, type Operation, type OperationEnd } from '../../src/connectors/operation';
import type { ConnectorCatalog } from '../../src/connectors/proxy-client';
import { runWithLogContext } from '../../src/logging/log-context';
import { operation, startTestAgent, type TestAgent } from '../../src/testing';

/*
 * The core hands each operation an identity, runs the commands inside it, and ends it with the client's
 * `endOperation` exactly once, whatever the outcome (SPEC §3, §5). A recording connector shows what it receives.
 */
interface Recording {
  /** What `currentOperation()` named inside each method call (from within a nested log context). */
  readonly seen: (Operation | undefined)[];
  readonly ends: OperationEnd[];
  /** Lifecycle hooks in the order they were called. */
  readonly calls: string[];
}

function recordingConnector(options: { failEnd?: boolean } = {}): { catalog: ConnectorCatalog; recording: Recording } {
  const recording: Recording = { seen: [], ends: [], calls: [] };
  let clients = 0;
  const catalog: ConnectorCatalog = {
    recorder: async () => ({
      create: () => {
        clients += 1;
        const client = clients;
        return {
          extensions: {
            whoami: () => runWithLogContext({ nested: true }, async () => recording.seen.push(currentOperation())),
            fail: () => {
              throw new RangeError('out of range');
            },
            // Waits until the operation is stopped (a timeout or a shutdown), as a driver call honouring it would.
            wait: () =>
              new Promise((_, reject) => {
                recording.calls.push('wait');
                const signal = currentOperation()?.signal;
                signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
              }),
            client: () => client,
          },
          errorType: (error: unknown) => {
            recording.calls.push('errorType');
            return error instanceof RangeError ? 'OutOfRange' : undefined;
          },
          endOperation: (end: OperationEnd) => {
            recording.calls.push(`endOperation:${end.outcome}`);
            recording.ends.push(end);
            if (options.failEnd) throw new Error('cannot clean up');
          },
          close: () => {
            recording.calls.push('close');
          },
        };
      },
    }),
  };
  return { catalog, recording };
}

const PATH = '/api/v1/agent/execute/recorder/lifecycle';
let agent: TestAgent | undefined;
afterEach(async () => {
  await agent?.close();
  agent = undefined;
});

describe('the operation lifecycle', () => {
  it('hands the commands one operation, unchanged by a nested log context, and ends it once with success', async () => {
    // Prepare
    const { catalog, recording } = recordingConnector();
    agent = await startTestAgent({ MCD_LOG_LEVEL: 'silent' }, { connectors: catalog });

    // Act
    const response = await agent.post(PATH, operation([{ method: 'whoami' }, { method: 'whoami' }]));

    // Assess
    expect(await response.json()).toEqual({ __mcd_result__: 2, __mcd_trace_id__: 'trace-1' });
    expect(recording.ends).toHaveLength(1);
    const [end] = recording.ends;
    expect(end?.outcome).toBe('success');
    expect(end?.operation).toMatchObject({ traceId: 'trace-1', connectionType: 'recorder', id: expect.any(String) });
    expect(recording.seen).toEqual([end?.operation, end?.operation]);
    expect(recording.seen[0]).toBe(end?.operation);
  });

  it('gives each operation its own identity', async () => {
    // Prepare
    const { catalog, recording } = recordingConnector();
    agent = await startTestAgent({ MCD_LOG_LEVEL: 'silent' }, { connectors: catalog });

    // Act
    await Promise.all([
      agent.post(PATH, operation([{ method: 'whoami' }])),
      agent.post(PATH, operation([{ method: 'whoami' }])),
    ]);

    // Assess
    const [first, second] = recording.ends.map((end) => end.operation.id);
    expect(first).not.toEqual(second);
    expect(recording.seen.map((seen) => seen?.id).sort()).toEqual([first, second].sort());
  });

  it('ends a failed operation with error, after naming the error with the pure errorType hook', async () => {
    // Prepare
    const { catalog, recording } = recordingConnector();
    agent = await startTestAgent({ MCD_LOG_LEVEL: 'silent' }, { connectors: catalog });

    // Act
    const response = await agent.post(PATH, operation([{ method: 'fail' }]));

    // Assess
    expect(await response.json()).toMatchObject({
      __mcd_error__: 'out of range',
      __mcd_exception__: 'RangeError: out of range',
      __mcd_error_type__: 'OutOfRange',
      __mcd_trace_id__: 'trace-1',
    });
    expect(recording.ends.map((end) => end.outcome)).toEqual(['error']);
  });

  it('ends a timed-out operation with timeout, its signal aborted with the timeout', async () => {
    // Prepare
    const { catalog, recording } = recordingConnector();
    agent = await startTestAgent(
      { MCD_LOG_LEVEL: 'silent', MCD_OPERATION_TIMEOUT_SECONDS: '1' },
      { connectors: catalog },
    );

    // Act
    const response = await agent.post(PATH, operation([{ method: 'wait' }]));

    // Assess
    expect(await response.json()).toMatchObject({
      __mcd_error__: 'Operation timed out after 1 seconds',
      __mcd_error_type__: 'Timeout',
    });
    expect(recording.ends.map((end) => end.outcome)).toEqual(['timeout']);
    expect(recording.ends[0]?.operation.signal.aborted).toBe(true);
  });

  it('ends the operations still running when the agent closes with aborted, before their clients close', async () => {
    // Prepare
    const { catalog, recording } = recordingConnector();
    agent = await startTestAgent({ MCD_LOG_LEVEL: 'silent' }, { connectors: catalog });
    const running = agent.post(PATH, operation([{ method: 'wait' }]));
    while (!recording.calls.includes('wait')) await new Promise((resolve) => setTimeout(resolve, 10));

    // Act
    await agent.agent.close();
    const response = await running;

    // Assess
    expect(await response.json()).toMatchObject({
      __mcd_error__: 'Operation aborted: the agent is shutting down',
      __mcd_exception__: 'OperationAbortedError: Operation aborted: the agent is shutting down',
    });
    expect(recording.calls).toEqual(['wait', 'endOperation:aborted', 'close', 'errorType']);
  });

  it('never lets a command call endOperation', async () => {
    // Prepare
    const { catalog, recording } = recordingConnector();
    agent = await startTestAgent({ MCD_LOG_LEVEL: 'silent' }, { connectors: catalog });

    // Act
    const response = await agent.post(PATH, operation([{ method: 'endOperation', args: [{ outcome: 'success' }] }]));

    // Assess: refused (however the interpreter words it), and ended once, by the core, with the failure
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ __mcd_trace_id__: 'trace-1' });
    expect(body.__mcd_error__).toMatch(/endOperation/);
    expect(recording.ends.map((end) => end.outcome)).toEqual(['error']);
  });

  it('keeps the answer when endOperation fails, and disposes of the client it could not clean', async () => {
    // Prepare
    const { catalog, recording } = recordingConnector({ failEnd: true });
    agent = await startTestAgent({ MCD_LOG_LEVEL: 'silent' }, { connectors: catalog });

    // Act
    const first = await (await agent.post(PATH, operation([{ method: 'client' }]))).json();
    const second = await (await agent.post(PATH, operation([{ method: 'client' }]))).json();

    // Assess
    expect(first).toEqual({ __mcd_result__: 1, __mcd_trace_id__: 'trace-1' });
    expect(second).toEqual({ __mcd_result__: 2, __mcd_trace_id__: 'trace-1' });
    expect(recording.calls.slice(0, 2)).toEqual(['endOperation:success', 'close']);
  });
});
