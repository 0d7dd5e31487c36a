import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, guardedTcpTarget, NetworkGuard } from '@artemis/core';
import { startTestAgent, type TestAgent } from '@artemis/core/testing';
import { fakeHostLookup, selfSignedCertificate } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { resolveMysqlConnection } from '../../src/mysql/mysql-connection-config';
import { connectMysql } from '../../src/mysql/mysql-driver';
import { nativeConnectors } from '../../src/native-catalog';
import { type MariadbServer, mariadbSkipReason, startMariadb } from '../support/mariadb-server';
import { queryCommands, sqlOperation } from '../support/sql-operations';

const skipReason = mariadbSkipReason();
if (skipReason) {
  // Said once, loudly, so that a green run without MariaDB is not mistaken for a tested connector.
  console.warn(`mysql connector suite SKIPPED: ${skipReason}. Install the Debian package mariadb-server to run it.`);
}
const describeWithMariadb = skipReason ? describe.skip : describe;

describeWithMariadb('mysql connector over HTTP against MariaDB', () => {
  let mariadb: MariadbServer;
  let agent: TestAgent;
  const path = '/api/v1/agent/execute/mysql/query';
  const credentials = (extra: Record<string, unknown> = {}) => ({
    connect_args: { host: '127.0.0.1', port: mariadb.port, user: 'root', password: '', db: 'artemis', ...extra },
  });
  const run = async (commands: unknown[], extra: Record<string, unknown> = {}, creds: unknown = credentials()) => {
    const response = await agent.post(path, sqlOperation(creds, commands, extra));
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };

  // The server offers TLS with a certificate for db.artemis.test only, trusted through ssl_ca under MCD_TEMP_FOLDER.
  const certificate = selfSignedCertificate(['DNS:db.artemis.test']);
  let tempFolder: string;

  beforeAll(async () => {
    mariadb = await startMariadb({ tls: certificate });
    tempFolder = await mkdtemp(join(tmpdir(), 'artemis-mysql-tls-'));
    await writeFile(join(tempFolder, 'ca.pem'), certificate.cert);
    agent = await startTestAgent(
      { MCD_LOG_LEVEL: 'silent', MCD_NETWORK_ALLOW_LOOPBACK: 'true', MCD_TEMP_FOLDER: tempFolder },
      { connectors: nativeConnectors },
    );
    const setup = [
      'CREATE DATABASE artemis',
      `CREATE TABLE artemis.items (id BIGINT PRIMARY KEY, amount DECIMAL(12,2), label VARCHAR(20) NOT NULL,
         seen DATETIME(3), day DATE, payload VARBINARY(8), doc JSON, ratio DOUBLE)`,
      `INSERT INTO artemis.items VALUES
         (9007199254740993, 1234567890.50, 'first', '2024-01-02 03:04:05.678', '2024-01-02', X'0102FF',
          '{"a": [1, 2]}', 0.5),
         (2, NULL, 'second', NULL, NULL, NULL, NULL, NULL)`,
      "CREATE USER 'reader'@'127.0.0.1' IDENTIFIED BY 'pw'",
      'CREATE TABLE artemis.secret (n INT)',
    ];
    await run(
      [{ method: 'cursor', store: 'c' }, ...setup.map((sql) => ({ target: 'c', method: 'execute', args: [sql] }))],
      {},
      { connect_args: { host: '127.0.0.1', port: mariadb.port, user: 'root' } },
    );
  });
  afterAll(async () => {
    await agent?.close();
    await mariadb?.stop();
    if (tempFolder) await rm(tempFolder, { recursive: true, force: true });
  });

  it('answers the Apollo cursor sequence with rows, description and rowcount', async () => {
    // Act
    const body = await run(queryCommands('SELECT * FROM items ORDER BY id DESC'));

    // Assess
    expect(body).toEqual({
      __mcd_result__: {
        all_results: [
          [
            { __type__: 'decimal', __data__: '9007199254740993' },
            { __type__: 'decimal', __data__: '1234567890.50' },
            'first',
            { __type__: 'datetime', __data__: '2024-01-02T03:04:05.678+00:00' },
            { __type__: 'date', __data__: '2024-01-02' },
            { __type__: 'bytes', __data__: Buffer.from([1, 2, 255]).toString('base64') },
            { a: [1, 2] },
            0.5,
          ],
          [{ __type__: 'decimal', __data__: '2' }, null, 'second', null, null, null, null, null],
        ],
        description: [
          ['id', 8, null, 20, 20, 0, false],
          ['amount', 246, null, 14, 14, 2, true],
          ['label', 253, null, 80, 80, 0, false],
          ['seen', 12, null, 23, 23, 3, true],
          ['day', 10, null, 10, 10, 0, true],
          ['payload', 253, null, 8, 8, 0, true],
          ['doc', 252, null, 4294967295, 4294967295, 0, true],
          ['ratio', 5, null, 22, 22, 31, true],
        ],
        rowcount: 2,
      },
      __mcd_trace_id__: 'trace-sql',
    });
  });

  it('translates %s and %(name)s parameters, leaving %% and quoted text alone', async () => {
    // Act
    const positional = await run(queryCommands("SELECT label, '%s', 100 %% 7 FROM items WHERE id = %s", [2]));
    const named = await run(queryCommands('SELECT %(n)s + %(n)s, %(w)s', { n: 21, w: 'hi' }));

    // Assess
    expect(positional.__mcd_result__).toMatchObject({ all_results: [['second', '%s', 2]] });
    expect(named.__mcd_result__).toMatchObject({ all_results: [[42, 'hi']] });
  });

  it('reports affected rows and honours rollback and commit', async () => {
    // Act
    const body = await run([
      { method: 'cursor', store: 'c' },
      { target: 'c', method: 'execute', args: ['CREATE TABLE tx (n INT) ENGINE=InnoDB'] },
      { target: 'c', method: 'execute', args: ['START TRANSACTION'] },
      { target: 'c', method: 'executemany', args: ['INSERT INTO tx VALUES (%s)', [[1], [2], [3]]] },
      { target: 'c', method: 'rowcount', store: 'inserted' },
      { method: 'rollback' },
      { target: 'c', method: 'execute', args: ['START TRANSACTION'] },
      { target: 'c', method: 'execute', args: ['INSERT INTO tx VALUES (10), (20)'] },
      { method: 'commit' },
      { target: 'c', method: 'execute', args: ['SELECT SUM(n) FROM tx'] },
      { target: 'c', method: 'fetchone', store: 'sum' },
      {
        target: '__utils',
        method: 'build_dict',
        kwargs: { inserted: { __reference__: 'inserted' }, sum: { __reference__: 'sum' } },
      },
    ]);

    // Assess
    expect(body.__mcd_result__).toEqual({ inserted: 3, sum: [{ __type__: 'decimal', __data__: '30' }] });
  });

  it('streams a large result with fetchmany and frees the connection for the next request', async () => {
    // Act
    const first = await run([
      { method: 'cursor', store: 'c' },
      { target: 'c', method: 'execute', args: ['SELECT seq FROM seq_1_to_200000'] },
      { target: 'c', method: 'fetchmany', args: [3] },
    ]);
    const next = await run(queryCommands('SELECT 7'));

    // Assess
    // seq_1_to_N's column is BIGINT UNSIGNED: exact decimals.
    expect(first.__mcd_result__).toEqual(['1', '2', '3'].map((n) => [{ __type__: 'decimal', __data__: n }]));
    expect(next.__mcd_result__).toMatchObject({ all_results: [[7]], rowcount: 1 });
  });

  it('answers a missing table with DatabaseError and the ER_ code, errno and SQLSTATE', async () => {
    // Act
    const body = await run(queryCommands('SELECT * FROM no_such_table'));

    // Assess
    expect(body).toMatchObject({
      __mcd_error__: "Table 'artemis.no_such_table' doesn't exist",
      __mcd_error_type__: 'DatabaseError',
      __mcd_error_attrs__: { code: 'ER_NO_SUCH_TABLE', errno: 1146, sqlstate: '42S02' },
      __mcd_trace_id__: 'trace-sql',
    });
  });

  it('answers a denied table with InsufficientPrivilege', async () => {
    // Act
    const body = await run(
      queryCommands('SELECT * FROM artemis.secret'),
      { skip_cache: true },
      { connect_args: { host: '127.0.0.1', port: mariadb.port, user: 'reader', password: 'pw' } },
    );

    // Assess
    expect(body).toMatchObject({
      __mcd_error_type__: 'InsufficientPrivilege',
      __mcd_error_attrs__: { code: 'ER_TABLEACCESS_DENIED_ERROR', errno: 1142, sqlstate: '42000' },
    });
  });

  it('stops a statement on the server at the statement timeout with QueryCanceled', async () => {
    // Act
    const body = await run(
      queryCommands('SELECT SLEEP(5)'),
      { skip_cache: true },
      credentials({ statement_timeout: 300 }),
    );

    // Assess
    expect(body).toMatchObject({
      __mcd_error_type__: 'QueryCanceled',
      __mcd_error_attrs__: { errno: 1969, sqlstate: '70100' },
    });
  });

  it('kills the running statement when the operation times out', async () => {
    // Prepare
    const shortAgent = await startTestAgent(
      { MCD_LOG_LEVEL: 'silent', MCD_NETWORK_ALLOW_LOOPBACK: 'true', MCD_OPERATION_TIMEOUT_SECONDS: '1' },
      { connectors: nativeConnectors },
    );
    const creds = credentials({ statement_timeout: 0 });

    // Act
    const response = await shortAgent.post(
      path,
      // Far longer than jest's timeout: only a kill ends it before the test gives up.
      sqlOperation(creds, queryCommands('SELECT SLEEP(3600) AS artemis_sleeper')),
    );
    const body = await response.json();
    // The server drops the killed statement from its process list when it gets to it: poll until then (a statement
    // that is never killed fails the test at jest's timeout).
    let sleepers: unknown[] = [1];
    while (sleepers.length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const list = await run(
        queryCommands(
          "SELECT id FROM information_schema.processlist WHERE info LIKE '%artemis_sleeper%' AND info NOT LIKE '%processlist%'",
        ),
      );
      sleepers = (list.__mcd_result__ as { all_results: unknown[] }).all_results;
    }
    await shortAgent.close();

    // Assess
    expect(body).toMatchObject({ __mcd_error_type__: 'Timeout' });
    expect(sleepers).toEqual([]);
  });

  it('verifies the certificate against the host name given, while the socket goes to the checked address', async () => {
    // Act: localhost is dialled at the address the guard checked; the certificate names db.artemis.test only.
    const chainOnly = await run(
      [
        { method: 'cursor', store: 'c' },
        { target: 'c', method: 'execute', args: ["SHOW SESSION STATUS LIKE 'Ssl_version'"] },
        { target: 'c', method: 'fetchone' },
      ],
      {},
      credentials({ host: 'localhost', ssl_ca: 'ca.pem' }),
    );
    const withIdentity = await run(
      queryCommands('SELECT 1'),
      {},
      credentials({ host: 'localhost', ssl_ca: 'ca.pem', ssl_verify_identity: true }),
    );

    // Assess
    expect(chainOnly.__mcd_result__).toEqual(['Ssl_version', expect.stringMatching(/^TLSv1\.[23]$/)]);
    expect(withIdentity.__mcd_error__).toBe(
      "Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames: Host: localhost. is not in the cert's altnames: DNS:db.artemis.test",
    );
  });

  it('sends KILL QUERY to the address the session was checked at, with no second lookup', async () => {
    // Prepare: `db.test` exists only for this guard's resolver, which counts its calls.
    const lookup = fakeHostLookup({ 'db.test': ['127.0.0.1'] });
    const guard = new NetworkGuard({ allowLoopback: true, blockedCidrs: [], lookup });
    const resolved = await resolveMysqlConnection(
      { connect_args: { host: 'db.test', port: mariadb.port, user: 'root', statement_timeout: 0 } },
      { operationTimeoutSeconds: 30, tempFolder },
    );
    const target = await guardedTcpTarget(guard, 'db.test', mariadb.port);
    const driver = await connectMysql(resolved, target, createLogger('silent'));
    const sleeping = driver.execute('SELECT SLEEP(20) AS artemis_killed_sleeper', []);
    const sleepers = async () => {
      const list = await run(
        queryCommands(
          "SELECT id FROM information_schema.processlist WHERE info LIKE '%artemis_killed_sleeper%' AND info NOT LIKE '%processlist%'",
        ),
      );
      return (list.__mcd_result__ as { all_results: unknown[] }).all_results;
    };
    for (let i = 0; i < 100 && (await sleepers()).length === 0; i++) await new Promise((r) => setTimeout(r, 50));

    // Act
    await driver.cancel();
    await sleeping.catch(() => undefined);
    let left = await sleepers();
    for (let i = 0; i < 50 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await sleepers();
    }
    await driver.close();

    // Assess
    expect(left).toEqual([]);
    expect(lookup.calls).toBe(1);
  });
});
