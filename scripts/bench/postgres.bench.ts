/**
 * Fetching 100 000 rows through the postgres connector's DB-API facade over HTTP (local server, server-side cursor,
 * JSON envelope, client parse) vs. the same query with plain `pg` in this process. Both read from the same PGlite
 * server (in a worker thread), interleaved. What the SSRF guard costs where it acts, when a connection is made:
 * connect + SELECT 1 with the socket from `guardedTcpTarget` (resolve, check, pinned socket) vs. plain `pg`. Then
 * export_to_storage of 1 000 000 rows into 10 NDJSON fragments vs. a bare pg-cursor → JSON lines → file loop.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import Cursor from 'pg-cursor';
import type { DbApiConnection } from '../../packages/connectors/src/db-api/db-api-connection';
import { nativeConnectors } from '../../packages/connectors/src/index';
import { create as createPostgres } from '../../packages/connectors/src/postgres/postgres-connector';
import { startPgliteServer } from '../../packages/connectors/tests/support/pglite-server';
import {
  type ConnectorContext,
  createAgent,
  createLocalServer,
  createLogger,
  encodeJsonBuffer,
  guardedTcpTarget,
  loadConfig,
  NetworkGuard,
} from '../../packages/core/src/index';
import { type BenchFigure, type BenchModule, interleave, median } from './harness';

const ROWS = 100_000;
const QUERY = `SELECT g, md5(g::text), g * 1.5 AS ratio FROM generate_series(1, ${ROWS}) g`;
/** export_to_storage (issue 18): a million rows into ten NDJSON fragments. */
const EXPORT_ROWS = 1_000_000;
const EXPORT_QUERY = `SELECT g AS id, md5(g::text) AS label, g * 1.5 AS ratio FROM generate_series(1, ${EXPORT_ROWS}) g`;
const EXPORT_BATCH = 10_000;

export default (async () => {
  const pglite = await startPgliteServer();
  const scratch = await mkdtemp(join(tmpdir(), 'artemis-postgres-bench-'));
  // PGlite listens on 127.0.0.1: loopback allowed, as in local development. The guard still checks every connection.
  const config = loadConfig({
    MCD_LOG_LEVEL: 'silent',
    MCD_NETWORK_ALLOW_LOOPBACK: 'true',
    MCD_STORAGE: 'FILESYSTEM',
    MCD_STORAGE_PATH: scratch,
  });
  const guard = new NetworkGuard({ allowLoopback: true, blockedCidrs: [] });
  const agent = createAgent({ config, logger: createLogger('silent'), connectors: nativeConnectors });
  await agent.ready();
  const server = createLocalServer(agent);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/agent/execute/postgres/bench`;
  const connectArgs = {
    host: '127.0.0.1',
    port: pglite.port,
    dbname: 'postgres',
    user: 'postgres',
    sslmode: 'disable',
  };
  const body = JSON.stringify({
    credentials: { connect_args: connectArgs },
    operation: {
      trace_id: 'bench',
      commands: [
        { method: 'cursor', store: 'c' },
        { target: 'c', method: 'execute', args: [QUERY] },
        { target: 'c', method: 'fetchall' },
      ],
    },
  });
  const client = new pg.Client({ ...connectArgs, database: 'postgres', ssl: false });
  await client.connect();
  // The same facade in process, to tell the cursor's own cost from HTTP and JSON's.
  const context = { connectionType: 'postgres', config, logger: agent.logger, network: guard } as ConnectorContext;
  const proxy = await createPostgres({ connect_args: connectArgs }, context);
  const connection = proxy.wrappedClient as DbApiConnection;

  const viaAgent = async () => {
    const started = performance.now();
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const { __mcd_result__: rows } = (await response.json()) as { __mcd_result__: unknown[] };
    if (rows.length !== ROWS) throw new Error(`agent returned ${rows.length} rows`);
    return performance.now() - started;
  };
  /** Plain pg's simple query; `encoded`: its rows then encoded as JSON, as the facade's fetchall answers them. */
  const plainPgQuery = (encoded: boolean) => async () => {
    const started = performance.now();
    const { rows } = await client.query({ text: QUERY, rowMode: 'array' });
    if (rows.length !== ROWS) throw new Error(`pg returned ${rows.length} rows`);
    if (encoded) encodeJsonBuffer(rows);
    return performance.now() - started;
  };
  const plainPg = plainPgQuery(false);
  const plainPgEncoded = plainPgQuery(true);

  const inProcess = async () => {
    const started = performance.now();
    const cursor = connection.cursor();
    await cursor.execute(QUERY);
    const rows = await cursor.fetchall();
    if (rows.length !== ROWS) throw new Error(`facade returned ${rows.length} rows`);
    return performance.now() - started;
  };

  const connectAndSelect = async (stream?: () => Socket) => {
    const fresh = new pg.Client({ ...connectArgs, database: 'postgres', ssl: false, ...(stream ? { stream } : {}) });
    await fresh.connect();
    await fresh.query('SELECT 1');
    await fresh.end();
  };
  const plainConnect = async () => {
    const started = performance.now();
    await connectAndSelect();
    return performance.now() - started;
  };
  const guardedConnect = async () => {
    const started = performance.now();
    const target = await guardedTcpTarget(guard, connectArgs.host, connectArgs.port);
    await connectAndSelect(() => target.socket());
    return performance.now() - started;
  };

  // The floor of an export: the same rows through plain pg + pg-cursor, JSON lines appended to a file, in process.
  const bareExport = async () => {
    const started = performance.now();
    const out = createWriteStream(join(scratch, 'bare.ndjson'));
    const cursor = client.query(new Cursor(EXPORT_QUERY));
    let rows = 0;
    for (;;) {
      const batch = (await cursor.read(EXPORT_BATCH)) as Record<string, unknown>[];
      if (batch.length === 0) break;
      rows += batch.length;
      let text = '';
      for (const row of batch) text += `${JSON.stringify(row)}\n`;
      if (!out.write(text)) await once(out, 'drain');
    }
    await cursor.close();
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    if (rows !== EXPORT_ROWS) throw new Error(`bare export wrote ${rows} rows`);
    return performance.now() - started;
  };
  let exports = 0;
  const agentExport = async () => {
    const set = `bench/export-${++exports}`;
    const started = performance.now();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        credentials: { connect_args: connectArgs },
        operation: {
          trace_id: 'bench',
          commands: [
            { method: 'cursor', store: 'c' },
            {
              target: 'c',
              method: 'export_to_storage',
              kwargs: { query: EXPORT_QUERY, set, rows_per_fragment: EXPORT_ROWS / 10, format: 'ndjson' },
            },
          ],
        },
      }),
    });
    const { __mcd_result__: manifest } = (await response.json()) as { __mcd_result__?: { fragments: unknown[] } };
    if (manifest?.fragments.length !== 10) throw new Error(`export failed: ${JSON.stringify(manifest)}`);
    const elapsed = performance.now() - started;
    await rm(join(scratch, 'mcd', set), { recursive: true, force: true });
    return elapsed;
  };

  try {
    await viaAgent(); // warm-up: driver import, connection, JIT
    await plainPg();
    const samples = await interleave(7, plainPg, viaAgent);
    const direct = await interleave(7, plainPgEncoded, inProcess);
    const facade: BenchFigure = {
      name: `postgres fetchall ${ROWS} rows: cursor facade in process vs plain pg + encoding`,
      subject: median(direct.subject),
      floor: median(direct.floor),
      unit: 'ms',
      direction: 'max',
      goal: 1.3,
      note: 'median of 7; the server-side cursor in 10 000-row batches, encoded as they come, vs one simple query, then encoded',
    };
    const overHttp: BenchFigure = {
      name: `postgres fetchall ${ROWS} rows: cursor facade over HTTP vs plain pg`,
      subject: median(samples.subject),
      floor: median(samples.floor),
      unit: 'ms',
      direction: 'max',
      // Issue 13's goal: the rows are encoded while they are fetched, never copied again.
      goal: 2,
      note: 'median of 7; subject includes HTTP, JSON encoding and client-side parse',
    };
    await guardedConnect();
    await plainConnect();
    const connects = await interleave(101, plainConnect, guardedConnect);
    const guarded: BenchFigure = {
      name: 'postgres connect + SELECT 1: through the SSRF guard vs plain pg',
      subject: median(connects.subject),
      floor: median(connects.floor),
      unit: 'ms',
      direction: 'max',
      goal: 1.1,
      note: 'median of 101; resolve + check + pinned socket, paid once per connection (queries on it pay nothing)',
    };
    await agentExport(); // warm-up: storage, the export path
    const exported = await interleave(3, bareExport, agentExport);
    const exportFigure: BenchFigure = {
      name: `export_to_storage ${EXPORT_ROWS} rows → 10 NDJSON fragments (FILESYSTEM) vs bare pg-cursor → file`,
      subject: median(exported.subject),
      floor: median(exported.floor),
      unit: 'ms',
      direction: 'max',
      goal: 2,
      note: 'median of 3; subject over HTTP: typed JSON encoding, SHA-256, sidecars, records and the manifest',
    };
    return [overHttp, facade, guarded, exportFigure];
  } finally {
    await client.end();
    await proxy.close?.();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await agent.close();
    await pglite.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}) satisfies BenchModule;
