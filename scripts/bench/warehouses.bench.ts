/**
 * 100 000 rows through the warehouse connectors' DB-API facade, in process (cursor → execute → fetchall: guarded
 * sockets, streaming reads, exact values, the agent's value types, and the rows' JSON encoding, which fetchall does
 * as each batch arrives) vs. the same query with the bare driver, same options, against the same testkit fake on
 * loopback, its rows then encoded by the same encoder (what sending them takes), interleaved: snowflake
 * (snowflake-sdk), starburst-galaxy (trino-client) and databricks (@databricks/sql over the HiveServer2 fake's
 * Arrow batches).
 */
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DbApiConnection } from '../../packages/connectors/src/db-api/db-api-connection';
import {
  type ConnectorContext,
  type ConnectorFactory,
  createLogger,
  encodeJsonBuffer,
  loadConfig,
  NetworkGuard,
} from '../../packages/core/src/index';
import { startFakeHiveServer2 } from '../../packages/testkit/src/fakes/fake-hive-server2';
import { startFakeSnowflake } from '../../packages/testkit/src/fakes/fake-snowflake';
import { startFakeTrino } from '../../packages/testkit/src/fakes/fake-trino';
import { selfSignedCertificate } from '../../packages/testkit/src/fakes/self-signed-certificate';
import { type BenchFigure, type BenchModule, interleave, median } from './harness';

const ROWS = 100_000;
const ROUNDS = 7;
const QUERY = 'SELECT id, name, amount FROM orders';

// The drivers are the connectors package's dependencies: resolved (and typed) from there.
const requireDriver = createRequire(join(import.meta.dirname, '../../packages/connectors/package.json'));
type SnowflakeSdk = typeof import('../../packages/connectors/node_modules/snowflake-sdk');
type TrinoClient = typeof import('../../packages/connectors/node_modules/trino-client');
type DatabricksSql = typeof import('../../packages/connectors/node_modules/@databricks/sql');
const config = loadConfig({ MCD_LOG_LEVEL: 'silent', MCD_HTTP_ALLOW_LOOPBACK: 'true' });
const contextFor = (connectionType: string) =>
  ({
    connectionType,
    config,
    logger: createLogger('silent'),
    network: new NetworkGuard({ allowLoopback: true, blockedCidrs: [] }),
    storage: async () => {
      throw new Error('no storage in this bench');
    },
  }) as ConnectorContext;

/** `fetchall` of QUERY through a connector's facade, created once like a cached client. */
async function facade(create: ConnectorFactory, type: string, credentials: Record<string, unknown>) {
  const client = await create(credentials, contextFor(type));
  const connection = client.wrappedClient as DbApiConnection;
  return {
    run: async () => {
      const cursor = connection.cursor();
      await cursor.execute(QUERY);
      return (await cursor.fetchall()).length;
    },
    close: async () => client.close?.(),
  };
}

/**
 * Median milliseconds of `floor` and `subject`, interleaved, each checked to return every row. The facade's fetchall
 * answers its rows already encoded as JSON (issue 13), so the floor's rows are encoded too, by the agent's encoder
 * (plain JSON.stringify cannot write the exact bigints the drivers are asked for).
 */
async function figure(
  name: string,
  floor: () => Promise<unknown[]>,
  subject: () => Promise<number>,
  note: string,
): Promise<BenchFigure> {
  const encodedFloor = async () => {
    const rows = await floor();
    encodeJsonBuffer(rows);
    return rows.length;
  };
  const timed = (run: () => Promise<number>) => async () => {
    const started = performance.now();
    const rows = await run();
    if (rows !== ROWS) throw new Error(`${name}: ${rows} rows instead of ${ROWS}`);
    return performance.now() - started;
  };
  await timed(encodedFloor)(); // warm-up: driver import, login, JIT
  await timed(subject)();
  const samples = await interleave(ROUNDS, timed(encodedFloor), timed(subject));
  return {
    name,
    subject: median(samples.subject),
    floor: median(samples.floor),
    unit: 'ms',
    direction: 'max',
    goal: 1.3,
    note: `median of ${ROUNDS}; ${note}`,
  };
}

async function snowflakeFigure(): Promise<BenchFigure> {
  const fake = await startFakeSnowflake();
  fake.accounts.passwords.set('u', 'p');
  fake.statements.set(QUERY, {
    rowtype: [
      { name: 'ID', type: 'fixed', precision: 38, scale: 0 },
      { name: 'NAME', type: 'text' },
      { name: 'AMOUNT', type: 'fixed', precision: 10, scale: 2 },
    ],
    rowset: Array.from({ length: ROWS }, (_, i) => [String(i), `customer ${i}`, (i / 100).toFixed(2)]),
  });
  const sdk = requireDriver('snowflake-sdk') as SnowflakeSdk;
  sdk.configure({ logLevel: 'OFF', additionalLogToConsole: false } as Parameters<typeof sdk.configure>[0]);
  // The bare driver with the options the connector gives it (rows as arrays, NUMBER as text).
  const connection = sdk.createConnection({
    account: 'acme',
    username: 'u',
    password: 'p',
    accessUrl: fake.url,
    rowMode: 'array',
    fetchAsString: ['Number', 'JSON'],
  } as Parameters<typeof sdk.createConnection>[0]);
  await new Promise<void>((resolve, reject) => connection.connect((error) => (error ? reject(error) : resolve())));
  const bare = () =>
    new Promise<unknown[]>((resolve, reject) =>
      connection.execute({
        sqlText: QUERY,
        complete: (error, _statement, rows) => (error ? reject(error) : resolve(rows ?? [])),
      }),
    );
  const { create } = await import('../../packages/connectors/src/snowflake/snowflake-connector');
  const through = await facade(create, 'snowflake', {
    connect_args: { account: 'acme', user: 'u', password: 'p', host: '127.0.0.1', port: fake.port, protocol: 'http' },
  });
  try {
    return await figure(
      `snowflake fetchall ${ROWS} rows: DB-API facade in process vs bare snowflake-sdk + encoding`,
      bare,
      through.run,
      'one JSON rowset; the facade streams it (streamRows) and converts NUMBER/DECIMAL exactly',
    );
  } finally {
    await through.close();
    await new Promise<void>((resolve) => connection.destroy(() => resolve()));
    await fake.close();
  }
}

async function trinoFigure(): Promise<BenchFigure> {
  const fake = await startFakeTrino();
  fake.statements.set(QUERY, {
    columns: [
      { name: 'id', type: 'bigint' },
      { name: 'name', type: 'varchar' },
      { name: 'amount', type: 'decimal(10,2)' },
    ],
    rows: Array.from({ length: ROWS }, (_, i) => [i, `customer ${i}`, (i / 100).toFixed(2)]),
    pageSize: 10_000,
  });
  const { Trino, BasicAuth } = requireDriver('trino-client') as TrinoClient;
  const trino = Trino.create({ server: fake.url, catalog: 'hive', schema: 'default', auth: new BasicAuth('u', 'p') });
  const bare = async () => {
    const rows: unknown[] = [];
    for await (const page of await trino.query(QUERY)) rows.push(...(page.data ?? []));
    return rows;
  };
  const { create } = await import('../../packages/connectors/src/trino/starburst-galaxy-connector');
  const through = await facade(create, 'starburst-galaxy', {
    connect_args: {
      host: '127.0.0.1',
      port: fake.port,
      http_scheme: 'http',
      user: 'u',
      password: 'p',
      catalog: 'hive',
    },
  });
  try {
    return await figure(
      `trino fetchall ${ROWS} rows: DB-API facade in process vs bare trino-client + encoding`,
      bare,
      through.run,
      'ten nextUri pages of 10 000 rows; the facade parses bigints exactly and types the values',
    );
  } finally {
    await through.close();
    await fake.close();
  }
}

async function databricksFigure(): Promise<BenchFigure> {
  const tls = selfSignedCertificate();
  const fake = await startFakeHiveServer2(tls);
  fake.statements.set(QUERY, {
    columns: [
      { name: 'id', type: 'BIGINT' },
      { name: 'name', type: 'STRING' },
      { name: 'amount', type: 'DECIMAL', precision: 10, scale: 2 },
    ],
    rows: Array.from({ length: ROWS }, (_, i) => [BigInt(i), `customer ${i}`, (i / 100).toFixed(2)]),
    pageSize: 10_000,
  });
  const caFile = join(tmpdir(), `artemis-bench-ca-${process.pid}.pem`);
  await writeFile(caFile, tls.cert);
  const { DBSQLClient } = requireDriver('@databricks/sql') as DatabricksSql;
  // The bare driver with the options the connector gives it (exact BIGINT and DECIMAL, no telemetry).
  const client = new DBSQLClient({ logger: { log: () => undefined } } as ConstructorParameters<typeof DBSQLClient>[0]);
  await client.connect({
    host: '127.0.0.1',
    port: fake.port,
    path: '/sql/1.0/warehouses/bench',
    token: 'dapi',
    customCaCert: tls.cert,
    preserveBigNumericPrecision: true,
    telemetryEnabled: false,
  } as Parameters<typeof client.connect>[0]);
  const session = await client.openSession();
  const bare = async () => {
    const operation = await session.executeStatement(QUERY);
    const rows = await operation.fetchAll();
    await operation.close();
    return rows;
  };
  const { create } = await import('../../packages/connectors/src/databricks/databricks-connector');
  const through = await facade(create, 'databricks', {
    connect_args: {
      server_hostname: '127.0.0.1',
      _port: fake.port,
      http_path: '/sql/1.0/warehouses/bench',
      access_token: 'dapi',
      _tls_trusted_ca_file: caFile,
    },
  });
  try {
    return await figure(
      `databricks fetchall ${ROWS} rows: DB-API facade in process vs bare @databricks/sql + encoding`,
      bare,
      through.run,
      'Arrow batches of 10 000 rows; the facade reads them by position (the driver keys rows by name)',
    );
  } finally {
    await through.close();
    await session.close();
    await client.close();
    await fake.close();
  }
}

export default (async () => [
  await snowflakeFigure(),
  await trinoFigure(),
  await databricksFigure(),
]) satisfies BenchModule;
