/**
 * `pnpm bench result`: the result path of issue 13. The agent's
 * local server and the floor (plain `pg` + JSON.stringify + node:http) each run in a process of their own
 * (scripts/bench/support/result-server.ts) against the same PGlite server; each request is one round, interleaved.
 * Figures: time and peak RSS (VmHWM, reset before each request through /proc/<pid>/clear_refs) of the serving
 * process for 100 000 rows, and the agent's peak RSS for `fetchall` of 1 000 000 rows (goal < 512 MB, or an
 * answer offloaded to storage).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPgliteServer } from '../../packages/connectors/tests/support/pglite-server';
import { type BenchFigure, type BenchModule, median } from './harness';

const root = join(import.meta.dirname, '..', '..');
const query = (rows: number) =>
  `SELECT g, md5(g::text), g * 1.5 AS ratio, now() AS at FROM generate_series(1, ${rows}) g`;
const ROUNDS = Number(process.env.BENCH_RESULT_ROUNDS ?? 5);
const MB = 1024 * 1024;

interface Server {
  readonly child: ChildProcess;
  readonly port: number;
}

async function start(mode: 'agent' | 'plain', pgPort: number): Promise<Server> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'support/result-server.ts'), mode, String(pgPort)],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
  return { child, port };
}

function peakRssReset(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) * 1024;
}

/** One request: its time, the serving process's peak RSS, the answer's size and whether it was offloaded. */
async function round(server: Server, url: string, body: string, rows: number) {
  const pid = server.child.pid as number;
  peakRssReset(pid);
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await response.text();
  const ms = performance.now() - started;
  const rss = peakRss(pid);
  const parsed = JSON.parse(text) as {
    __mcd_result__?: unknown[] | { all_results: unknown[] };
    __mcd_result_location__?: string;
  };
  const result = parsed.__mcd_result__;
  const got = Array.isArray(result) ? result.length : result?.all_results.length;
  if (parsed.__mcd_result_location__ === undefined && got !== rows) {
    throw new Error(`${server.child.pid} answered ${got} rows: ${text.slice(0, 300)}`);
  }
  return { ms, rss, bytes: Buffer.byteLength(text), offloaded: parsed.__mcd_result_location__ !== undefined };
}

function agentBody(rows: number, pgPort: number): string {
  return JSON.stringify({
    credentials: {
      connect_args: { host: '127.0.0.1', port: pgPort, dbname: 'postgres', user: 'postgres', sslmode: 'disable' },
    },
    operation: {
      trace_id: 'bench',
      skip_cache: true,
      commands: [
        { method: 'cursor', store: 'c' },
        { target: 'c', method: 'execute', args: [query(rows)] },
        { target: 'c', method: 'fetchall' },
      ],
    },
  });
}

const spread = (values: number[], scale = 1) =>
  `${(Math.min(...values) / scale).toFixed(0)}–${(Math.max(...values) / scale).toFixed(0)}`;

export default (async () => {
  const pglite = await startPgliteServer();
  const agent = await start('agent', pglite.port);
  const plain = await start('plain', pglite.port);
  const agentUrl = `http://127.0.0.1:${agent.port}/api/v1/agent/execute/postgres/bench`;
  const plainUrl = `http://127.0.0.1:${plain.port}/`;
  try {
    const figures: BenchFigure[] = [];
    const rows = 100_000;
    const viaAgent = () => round(agent, agentUrl, agentBody(rows, pglite.port), rows);
    const viaPlain = () => round(plain, plainUrl, JSON.stringify({ query: query(rows) }), rows);
    await viaAgent();
    await viaPlain();
    const a: Awaited<ReturnType<typeof viaAgent>>[] = [];
    const p: typeof a = [];
    for (let i = 0; i < ROUNDS; i++) {
      if (i % 2 === 0) {
        p.push(await viaPlain());
        a.push(await viaAgent());
      } else {
        a.push(await viaAgent());
        p.push(await viaPlain());
      }
    }
    console.error(
      `  ${rows} rows: agent ${median(a.map((r) => r.ms)).toFixed(0)} ms (${spread(a.map((r) => r.ms))}), ` +
        `${(median(a.map((r) => r.rss)) / MB).toFixed(0)} MB peak (${spread(
          a.map((r) => r.rss),
          MB,
        )}), ${((a[0]?.bytes ?? 0) / MB).toFixed(1)} MB answer; ` +
        `plain ${median(p.map((r) => r.ms)).toFixed(0)} ms (${spread(p.map((r) => r.ms))}), ` +
        `${(median(p.map((r) => r.rss)) / MB).toFixed(0)} MB peak (${spread(
          p.map((r) => r.rss),
          MB,
        )}), ${((p[0]?.bytes ?? 0) / MB).toFixed(1)} MB answer`,
    );
    figures.push(
      {
        name: `postgres ${rows} rows over HTTP, time: agent vs plain pg + JSON (separate processes)`,
        subject: median(a.map((r) => r.ms)),
        floor: median(p.map((r) => r.ms)),
        unit: 'ms',
        direction: 'max',
        goal: 1,
        note: `median of ${ROUNDS}; agent ${spread(a.map((r) => r.ms))}, plain ${spread(p.map((r) => r.ms))}; stands in for the original Apollo agent (Python: no PyPI here)`,
      },
      {
        name: `postgres ${rows} rows over HTTP, serving process peak RSS: agent vs plain pg + JSON`,
        subject: median(a.map((r) => r.rss)) / MB,
        floor: median(p.map((r) => r.rss)) / MB,
        unit: 'MB',
        direction: 'max',
        goal: 1,
        note: `median of ${ROUNDS}; stands in for the original Apollo agent, which cannot run here (no PyPI)`,
      },
    );
    if (process.env.BENCH_RESULT_MILLION !== 'false') {
      const million = 1_000_000;
      const big = await round(agent, agentUrl, agentBody(million, pglite.port), million);
      console.error(
        `  ${million} rows: agent ${big.ms.toFixed(0)} ms, ${(big.rss / MB).toFixed(0)} MB peak, offloaded ${big.offloaded}`,
      );
      figures.push({
        name: `postgres fetchall ${million} rows through the agent: peak RSS (or offloaded)`,
        subject: big.rss / MB,
        floor: 512,
        unit: 'MB',
        direction: 'max',
        goal: big.offloaded ? Number.POSITIVE_INFINITY : 1,
        note: `${(big.bytes / MB).toFixed(0)} MB answer${big.offloaded ? ', offloaded' : ''}; floor is the 512 MB budget`,
      });
    }
    return figures;
  } finally {
    agent.child.kill();
    plain.child.kill();
    await pglite.stop();
  }
}) satisfies BenchModule;
