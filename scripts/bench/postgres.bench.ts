/**
 * Fetching 100 000 rows through the postgres connector's DB-API facade over HTTP (local server, server-side cursor,
 * JSON envelope, client parse) vs. the same query with plain `pg` in this process. Both read from the same PGlite
 * server (in a worker thread), interleaved. And what the SSRF guard costs where it acts, when a connection is made:
 * connect + SELECT 1 with the socket from `guardedTcpTarget` (resolve, check, pinned socket) vs. plain `pg`.
 */
import type { AddressInfo, Socket } from 'node:net';
import pg from 'pg';
import type { DbApiConnection } from '../../packages/connectors/src/db-api/db-api-connection';
import { nativeConnectors } from '../../packages/connectors/src/index';
import { create as createPostgres } from '../../packages/connectors/src/postgres/postgres-connector';
import { startPgliteServer } from '../../packages/connectors/tests/support/pglite-server';
import {
  type ConnectorContext,
  createAgent,
  createLocalServer,
  createLogger,
  guardedTcpTarget,
  loadConfig,
  NetworkGuard,
} from '../../packages/core/src/index';
import { type BenchFigure, type BenchModule, interleave, median } from './harness';

const ROWS = 100_000;
const QUERY = `SELECT g, md5(g::text), g * 1.5 AS ratio FROM generate_series(1, ${ROWS}) g`;

export default (async () => {
  const pglite = await startPgliteServer();
  // PGlite listens on 127.0.0.1: loopback allowed, as in local development. The guard still checks every connection.
  const config = loadConfig({ MCD_LOG_LEVEL: 'silent', MCD_NETWORK_ALLOW_LOOPBACK: 'true' });
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
  const plainPg = async () => {
    const started = performance.now();
    const { rows } = await client.query({ text: QUERY, rowMode: 'array' });
    if (rows.length !== ROWS) throw new Error(`pg returned ${rows.length} rows`);
    return performance.now() - started;
  };

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

  try {
    await viaAgent(); // warm-up: driver import, connection, JIT
    await plainPg();
    const samples = await interleave(7, plainPg, viaAgent);
    const direct = await interleave(7, plainPg, inProcess);
    const facade: BenchFigure = {
      name: `postgres fetchall ${ROWS} rows: cursor facade in process vs plain pg`,
      subject: median(direct.subject),
      floor: median(direct.floor),
      unit: 'ms',
      direction: 'max',
      goal: 1.3,
      note: 'median of 7; the server-side cursor in 10 000-row batches vs one simple query',
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
    return [overHttp, facade, guarded];
  } finally {
    await client.end();
    await proxy.close?.();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await agent.close();
    await pglite.stop();
  }
}) satisfies BenchModule;
