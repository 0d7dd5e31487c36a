import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startTestAgent, type TestAgent } from '@artemis/core/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { nativeConnectors } from '../../src/native-catalog';
import { startCancelRequestRecorder } from '../support/cancel-request-recorder';
import { type PgliteServer, startPgliteServer } from '../support/pglite-server';
import { gatherStored, queryCommands, sqlOperation } from '../support/sql-operations';

// postgres and redshift share the driver; redshift runs the same suite with its TLS requirement relaxed (PGlite
// has no TLS). That redshift applies its defaults is proven in the unit tests and by the TLS refusal below.
const flavours = [
  { type: 'postgres', extraArgs: {} },
  { type: 'redshift', extraArgs: { sslmode: 'disable' } },
] as const;

let pglite: PgliteServer;
beforeAll(async () => {
  pglite = await startPgliteServer();
});
afterAll(() => pglite.stop());

describe.each(flavours)('$type connector over HTTP against PGlite', ({ type, extraArgs }) => {
  let agent: TestAgent;
  const path = `/api/v1/agent/execute/${type}/query`;
  const credentials = () => ({
    connect_args: {
      host: '127.0.0.1',
      port: pglite.port,
      dbname: 'postgres',
      user: 'postgres',
      password: 'unused',
      ...extraArgs,
    },
  });
  const run = async (commands: unknown[], extra: Record<string, unknown> = {}, creds: unknown = credentials()) => {
    const response = await agent.post(path, sqlOperation(creds, commands, extra));
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    agent = await startTestAgent(
      { MCD_LOG_LEVEL: 'silent', MCD_NETWORK_ALLOW_LOOPBACK: 'true' },
      { connectors: nativeConnectors },
    );
    const table = `${type}_values`;
    await run([
      { method: 'cursor', store: 'c' },
      { target: 'c', method: 'execute', args: [`DROP TABLE IF EXISTS ${table}`] },
      {
        target: 'c',
        method: 'execute',
        args: [
          `CREATE TABLE ${table} (id int8 PRIMARY KEY, amount numeric(12,2), label varchar(20) NOT NULL,
             seen timestamptz, local_ts timestamp, day date, payload bytea, doc jsonb, ratio float8)`,
        ],
      },
      {
        target: 'c',
        method: 'execute',
        args: [
          `INSERT INTO ${table} VALUES
             (9007199254740993, 1234567890.50, 'first', '2024-01-02 03:04:05.678+00', '2024-01-02 03:04:05',
              '2024-01-02', '\\x0102ff', '{"a": [1, 2]}', 0.5),
             (2, NULL, 'second', NULL, NULL, NULL, NULL, NULL, NULL)`,
        ],
      },
    ]);
  });
  afterAll(() => agent.close());

  it('answers the Apollo cursor sequence with rows, description and rowcount', async () => {
    // Act
    const body = await run(queryCommands(`SELECT * FROM ${type}_values ORDER BY id DESC`));

    // Assess
    expect(body).toEqual({
      __mcd_result__: {
        all_results: [
          [
            { __type__: 'decimal', __data__: '9007199254740993' },
            { __type__: 'decimal', __data__: '1234567890.50' },
            'first',
            { __type__: 'datetime', __data__: '2024-01-02T03:04:05.678+00:00' },
            { __type__: 'datetime', __data__: '2024-01-02T03:04:05+00:00' },
            { __type__: 'date', __data__: '2024-01-02' },
            { __type__: 'bytes', __data__: Buffer.from([1, 2, 255]).toString('base64') },
            { a: [1, 2] },
            0.5,
          ],
          [{ __type__: 'decimal', __data__: '2' }, null, 'second', null, null, null, null, null, null],
        ],
        description: [
          ['id', 20, null, 8, null, null, null],
          ['amount', 1700, null, -1, 12, 2, null],
          ['label', 1043, null, -1, null, null, null],
          ['seen', 1184, null, 8, null, null, null],
          ['local_ts', 1114, null, 8, null, null, null],
          ['day', 1082, null, 4, null, null, null],
          ['payload', 17, null, -1, null, null, null],
          ['doc', 3802, null, -1, null, null, null],
          ['ratio', 701, null, 8, null, null, null],
        ],
        rowcount: 2,
      },
      __mcd_trace_id__: 'trace-sql',
    });
  });

  it('translates %s parameters, leaving %% and quoted text alone', async () => {
    // Act
    const body = await run(
      queryCommands(`SELECT label, '%s literal' AS text, 100 %% 7 AS modulo FROM ${type}_values WHERE id = %s`, [2]),
    );

    // Assess
    expect(body.__mcd_result__).toMatchObject({ all_results: [['second', '%s literal', 2]], rowcount: 1 });
  });

  it('translates %(name)s parameters given as keyword arguments, reusing a repeated name', async () => {
    // Act
    const body = await run([
      { method: 'cursor', store: 'c' },
      {
        target: 'c',
        method: 'execute',
        kwargs: {
          query: 'SELECT %(n)s::int + %(n)s::int AS doubled, %(word)s AS word',
          params: { n: 21, word: 'hi' },
        },
      },
      { target: 'c', method: 'fetchone' },
    ]);

    // Assess
    expect(body.__mcd_result__).toEqual([42, 'hi']);
  });

  it('reports affected rows and honours rollback and commit of an explicit transaction', async () => {
    // Prepare
    const table = `${type}_tx`;
    await run([
      { method: 'cursor', store: 'c' },
      { target: 'c', method: 'execute', args: [`DROP TABLE IF EXISTS ${table}`] },
      { target: 'c', method: 'execute', args: [`CREATE TABLE ${table} (n int)`] },
    ]);

    // Act
    const body = await run([
      { method: 'cursor', store: 'c' },
      { target: 'c', method: 'execute', args: ['BEGIN'] },
      { target: 'c', method: 'executemany', args: [`INSERT INTO ${table} VALUES (%s)`, [[1], [2], [3]]] },
      { target: 'c', method: 'rowcount', store: 'inserted' },
      { method: 'rollback' },
      { target: 'c', method: 'execute', args: ['BEGIN'] },
      { target: 'c', method: 'execute', args: [`INSERT INTO ${table} VALUES (10), (20)`] },
      { target: 'c', method: 'rowcount', store: 'kept' },
      { method: 'commit' },
      { target: 'c', method: 'execute', args: [`SELECT sum(n) FROM ${table}`] },
      { target: 'c', method: 'fetchone', store: 'sum' },
      {
        target: '__utils',
        method: 'build_dict',
        kwargs: {
          inserted: { __reference__: 'inserted' },
          kept: { __reference__: 'kept' },
          sum: { __reference__: 'sum' },
        },
      },
    ]);

    // Assess
    expect(body.__mcd_result__).toEqual({ inserted: 3, kept: 2, sum: [{ __type__: 'decimal', __data__: '30' }] });
  });

  it('keeps the rows of an interleaved cursor when another cursor executes', async () => {
    // Act
    const body = await run([
      { method: 'cursor', store: 'a' },
      { method: 'cursor', store: 'b' },
      { target: 'a', method: 'execute', args: ['SELECT g FROM generate_series(1, 250) g'] },
      { target: 'a', method: 'fetchmany', args: [2], store: 'first' },
      { target: 'b', method: 'execute', args: ['SELECT 99'] },
      { target: 'b', method: 'fetchall', store: 'other' },
      { target: 'a', method: 'fetchall', store: 'rest' },
      { target: 'a', method: 'rowcount', store: 'count' },
      gatherStored('first', 'other', 'rest', 'count'),
    ]);

    // Assess
    const result = body.__mcd_result__ as { first: number[][]; other: number[][]; rest: number[][]; count: number };
    expect(result.first).toEqual([[1], [2]]);
    expect(result.other).toEqual([[99]]);
    expect(result.rest).toEqual(Array.from({ length: 248 }, (_, i) => [i + 3]));
    expect(result.count).toBe(250);
  });

  it('closes a result set left open by one request before the next request uses the cached connection', async () => {
    // Prepare
    await run([
      { method: 'cursor', store: 'c' },
      { target: 'c', method: 'execute', args: ['SELECT g FROM generate_series(1, 100000) g'] },
      { target: 'c', method: 'fetchone' },
    ]);

    // Act
    const body = await run(queryCommands('SELECT 7'));

    // Assess
    expect(body.__mcd_result__).toMatchObject({ all_results: [[7]], rowcount: 1 });
  });

  it('serves concurrent requests that share the cached connection', async () => {
    // Act
    const [big, small] = await Promise.all([
      run([
        { method: 'cursor', store: 'c' },
        { target: 'c', method: 'execute', args: ['SELECT g FROM generate_series(1, 20000) g'] },
        { target: 'c', method: 'fetchall' },
      ]),
      run(queryCommands('SELECT 1')),
    ]);

    // Assess
    expect((big.__mcd_result__ as unknown[]).length).toBe(20_000);
    expect(small.__mcd_result__).toMatchObject({ all_results: [[1]] });
  });

  it('accepts the credentials as a libpq connection string', async () => {
    // Prepare
    const sslmode = type === 'redshift' ? '&sslmode=disable' : '';
    const creds = {
      connect_args: `postgresql://postgres:pw@127.0.0.1:${pglite.port}/postgres?connect_timeout=5${sslmode}`,
    };

    // Act
    const body = await run(queryCommands('SELECT current_database()'), { skip_cache: true }, creds);

    // Assess
    expect(body.__mcd_result__).toMatchObject({ all_results: [['postgres']] });
  });

  it('answers a missing table with DatabaseError and its SQLSTATE', async () => {
    // Act
    const body = await run(queryCommands('SELECT * FROM no_such_table'));

    // Assess
    expect(body).toMatchObject({
      __mcd_error__: 'relation "no_such_table" does not exist',
      __mcd_error_type__: 'DatabaseError',
      __mcd_error_attrs__: { pgcode: '42P01', sqlstate: '42P01', severity: 'ERROR', position: '15' },
      __mcd_trace_id__: 'trace-sql',
    });
  });

  it.each([
    ['query_canceled', 'QueryCanceled', '57014'],
    ['insufficient_privilege', 'InsufficientPrivilege', '42501'],
  ])('maps SQLSTATE %s to %s', async (condition, errorType, sqlstate) => {
    // Act
    const body = await run(
      queryCommands(`DO $$ BEGIN RAISE EXCEPTION 'raised %', 1 USING ERRCODE = '${condition}'; END $$`),
    );

    // Assess
    expect(body).toMatchObject({
      __mcd_error__: 'raised 1',
      __mcd_error_type__: errorType,
      __mcd_error_attrs__: { pgcode: sqlstate, sqlstate },
    });
  });

  it('answers a fetch before execute as a DB-API ProgrammingError', async () => {
    // Act
    const body = await run([
      { method: 'cursor', store: 'c' },
      { target: 'c', method: 'fetchall' },
    ]);

    // Assess
    expect(body).toMatchObject({
      __mcd_error__: 'no results to fetch',
      __mcd_exception__: 'ProgrammingError: no results to fetch',
      __mcd_error_type__: 'DatabaseError',
    });
  });

  it('refuses a mapping for %s placeholders with a clear error', async () => {
    // Act
    const body = await run(queryCommands('SELECT %s', { a: 1 }));

    // Assess
    expect(body).toMatchObject({
      __mcd_error__: 'query uses %s but the parameters are a mapping; use %(name)s',
      __mcd_error_type__: 'DatabaseError',
    });
  });

  it('sets the statement timeout from connect_args on the server session', async () => {
    // Act
    const body = await run(
      queryCommands('SHOW statement_timeout'),
      { skip_cache: true },
      { connect_args: { ...credentials().connect_args, statement_timeout: 4500 } },
    );

    // Assess
    expect(body.__mcd_result__).toMatchObject({ all_results: [['4500ms']] });
  });

  it('sets the statement timeout from MCD_OPERATION_TIMEOUT_SECONDS by default', async () => {
    // Prepare
    const shortAgent = await startTestAgent(
      { MCD_LOG_LEVEL: 'silent', MCD_NETWORK_ALLOW_LOOPBACK: 'true', MCD_OPERATION_TIMEOUT_SECONDS: '42' },
      { connectors: nativeConnectors },
    );

    // Act
    const response = await shortAgent.post(path, sqlOperation(credentials(), queryCommands('SHOW statement_timeout')));
    await shortAgent.close();

    // Assess
    await expect(response.json()).resolves.toMatchObject({ __mcd_result__: { all_results: [['42s']] } });
  });

  it('names the offending field of invalid credentials', async () => {
    // Act
    const body = await run(queryCommands('SELECT 1'), {}, { connect_args: { host: '127.0.0.1', port: 'x' } });

    // Assess
    expect(body).toMatchObject({
      __mcd_error__: `Invalid ${type} credentials: connect_args.port: expected a whole number`,
      __mcd_trace_id__: 'trace-sql',
    });
  });
});

describe('redshift connector defaults against a server without TLS', () => {
  it('requires TLS unless connect_args relaxes it', async () => {
    // Prepare
    const agent = await startTestAgent(
      { MCD_LOG_LEVEL: 'silent', MCD_NETWORK_ALLOW_LOOPBACK: 'true' },
      { connectors: nativeConnectors },
    );
    const creds = { connect_args: { host: '127.0.0.1', port: pglite.port, dbname: 'postgres', user: 'postgres' } };

    // Act
    const response = await agent.post(
      '/api/v1/agent/execute/redshift/q',
      sqlOperation(creds, queryCommands('SELECT 1')),
    );
    await agent.close();

    // Assess
    await expect(response.json()).resolves.toMatchObject({
      __mcd_error__: 'The server does not support SSL connections',
    });
  });
});

describe('postgres operation timeout', () => {
  it('answers Timeout and sends the server a CancelRequest for the running statement', async () => {
    // Prepare: a relay records the CancelRequest that PGlite itself accepts but ignores.
    const recorder = await startCancelRequestRecorder(pglite.port);
    const agent = await startTestAgent(
      { MCD_LOG_LEVEL: 'silent', MCD_NETWORK_ALLOW_LOOPBACK: 'true', MCD_OPERATION_TIMEOUT_SECONDS: '1' },
      { connectors: nativeConnectors },
    );
    const creds = { connect_args: { host: '127.0.0.1', port: recorder.port, dbname: 'postgres', user: 'postgres' } };

    // Act
    const response = await agent.post(
      '/api/v1/agent/execute/postgres/sleep',
      sqlOperation(creds, queryCommands('SELECT pg_sleep(3)')),
    );
    const body = await response.json();
    // The cancel is sent beside the answer, not before it: wait for it (jest's timeout bounds a cancel that never comes).
    while (recorder.cancelRequests.length === 0) await new Promise((r) => setTimeout(r, 20));
    await agent.close();
    await recorder.close();

    // Assess
    expect(body).toMatchObject({
      __mcd_error__: 'Operation timed out after 1 seconds',
      __mcd_error_type__: 'Timeout',
    });
    expect(recorder.cancelRequests.length).toBeGreaterThanOrEqual(1);
  });
});

/**
 * Runs `commands` on a fresh agent while sampling its live heap (after a forced GC, every `everyMs`); PGlite's own
 * memory is in its worker thread, so this is the agent's heap alone. Answers the response's text and the growth.
 */
async function withLiveHeapSampled(commands: unknown[], everyMs: number) {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const agent = await startTestAgent(
    { MCD_LOG_LEVEL: 'silent', MCD_NETWORK_ALLOW_LOOPBACK: 'true' },
    { connectors: nativeConnectors },
  );
  const creds = { connect_args: { host: '127.0.0.1', port: pglite.port, dbname: 'postgres', user: 'postgres' } };
  gc();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  const sampler = setInterval(() => {
    gc();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, everyMs);
  try {
    const response = await agent.post('/api/v1/agent/execute/postgres/big', sqlOperation(creds, commands));
    const text = await response.text();
    return { response, text, growth: peak - baseline };
  } finally {
    clearInterval(sampler);
    await agent.close();
  }
}

describe('postgres fetchmany over 1 000 000 rows', () => {
  it('streams the rows through a server-side cursor with flat memory', async () => {
    // Prepare: the live heap sampled while the request runs.
    const fetches = Array.from({ length: 500 }, () => ({ target: 'c', method: 'fetchmany', args: [2000] }));
    const commands = [
      { method: 'cursor', store: 'c' },
      { target: 'c', method: 'execute', args: ['SELECT g, md5(g::text) FROM generate_series(1, 1000000) g'] },
      ...fetches,
      { target: 'c', method: 'rowcount' },
    ];

    // Act
    const { text, growth } = await withLiveHeapSampled(commands, 200);
    const body = JSON.parse(text);

    // Assess: every row went through (rowcount), while the live heap grew by far less than the result's size
    // (1 000 000 rows of an int and a 32-character string: over 100 MB as JavaScript arrays).
    expect(body).toEqual({ __mcd_result__: 1_000_000, __mcd_trace_id__: 'trace-sql' });
    expect(growth).toBeLessThan(32 * 1024 * 1024);
  }, 900_000);
});

describe('postgres fetchall of 300 000 rows', () => {
  it('keeps the rows encoded as they are fetched: the live heap never holds them as values', async () => {
    // Prepare: the live heap sampled while the request runs, as above. The encoded answer is Buffers outside the
    // heap; 300 000 rows held as arrays (the old way) are over 30 MB of heap.
    const rows = 300_000;
    const commands = queryCommands(`SELECT g, md5(g::text), g * 1.5 AS ratio FROM generate_series(1, ${rows}) g`);

    // Act
    const { response, text, growth } = await withLiveHeapSampled(commands, 100);

    // Assess: every row arrived intact, streamed with its length declared; the heap grew by far less than the rows.
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    const body = JSON.parse(text) as { __mcd_result__: { all_results: unknown[][]; rowcount: number } };
    expect(body.__mcd_result__.rowcount).toBe(rows);
    expect(body.__mcd_result__.all_results.length).toBe(rows);
    expect(body.__mcd_result__.all_results[rows - 1]).toEqual([
      rows,
      '1ded704ce9ba546acc563f4c9ef0eb52',
      { __type__: 'decimal', __data__: '450000.0' },
    ]);
    expect(growth).toBeLessThan(16 * 1024 * 1024);
  }, 900_000);
});
