/**
 * Async figures for issue 12: through the local server with FILESYSTEM storage, in this process,
 * - submit latency (the 202 of POST /async/…: checks, the request and Pending record written, dispatch) and
 * - status-read latency (GET /async/api/v1/status/{id} of a Completed job)
 * each against the sync route running the same one-command operation. There is no SPEC §11 goal for these: the
 * goal column (2×) is a marker of "the async path costs about one sync call", not a contract. The submit side's
 * dispatcher holds the work (nothing runs behind the measurement); the status side reads a job that has completed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent, createLocalServer, createLogger, loadConfig } from '../../packages/core/src/index';
import { type BenchFigure, type BenchModule, interleave, median, timePerCall } from './harness';

const ITERATIONS = 200;
const ROUNDS = 5;

export default (async () => {
  const storage = await mkdtemp(join(tmpdir(), 'artemis-bench-async-'));
  const held: unknown[] = [];
  const agent = createAgent({
    config: loadConfig({ MCD_STORAGE: 'FILESYSTEM', MCD_STORAGE_PATH: storage, MCD_LOG_LEVEL: 'silent' }),
    logger: createLogger('silent'),
    connectors: { bench: async () => ({ create: () => ({ extensions: { echo: (value: unknown) => value } }) }) },
    asyncDispatcher: { kind: 'held', dispatch: async (work) => void held.push(work) },
  });
  await agent.ready();
  const server = createLocalServer(agent);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const body = JSON.stringify({ operation: { trace_id: 'bench', commands: [{ method: 'echo', args: [{ a: 1 }] }] } });
  const post = async (path: string) => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    return response.json() as Promise<Record<string, unknown>>;
  };
  const sync = () => timePerCall(ITERATIONS, () => post('/api/v1/agent/execute/bench/op'));
  try {
    // A completed job to read: submitted, then its held work run here.
    const { __mcd_request_id__: id } = await post('/async/api/v1/agent/execute/bench/op');
    await agent.runAsyncWork({ request_id: id as string });
    const status = () => timePerCall(ITERATIONS, async () => (await fetch(`${base}/async/api/v1/status/${id}`)).json());
    const submit = () => timePerCall(ITERATIONS, () => post('/async/api/v1/agent/execute/bench/op'));
    await sync(); // warm both paths
    await submit();
    const submitSamples = await interleave(ROUNDS, sync, submit);
    const statusSamples = await interleave(ROUNDS, sync, status);
    const figure = (name: string, samples: { floor: number[]; subject: number[] }): BenchFigure => ({
      name,
      subject: median(samples.subject) / 1e6,
      floor: median(samples.floor) / 1e6,
      unit: 'ms',
      direction: 'max',
      goal: 2,
      note: 'against the sync route, same operation; no SPEC §11 goal',
    });
    return [
      figure('async submit (202) vs sync execute', submitSamples),
      figure('async status read (Completed) vs sync execute', statusSamples),
    ];
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await agent.close();
    await rm(storage, { recursive: true, force: true });
  }
}) satisfies BenchModule;
