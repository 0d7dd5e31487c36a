import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type FakeHiveServer2,
  type FakeHiveStatement,
  selfSignedCertificate,
  startFakeHiveServer2,
} from '@artemis/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, startConnectorsAgent, type TestAgent } from '../support/connectors-agent';
import { queryCommands } from '../support/sql-operations';

const HTTP_PATH = '/sql/1.0/warehouses/abc123';
const TOKEN = 'dapi-test-token';

/** A Databricks SQL warehouse: the HiveServer2 fake over HTTPS, driven by the real @databricks/sql. */
describe('databricks against a Thrift-over-HTTP HiveServer2 fake (@databricks/sql)', () => {
  const tls = selfSignedCertificate();
  let fake: FakeHiveServer2;
  let agent: TestAgent;
  /** Apollo's flat credentials; the CA of the fake's self-signed certificate is trusted through `ssl_options`. */
  const flat = (extra: Record<string, unknown> = {}) => ({
    server_hostname: '127.0.0.1',
    _port: fake.port,
    http_path: HTTP_PATH,
    access_token: TOKEN,
    ssl_options: { ca_data: tls.cert },
    ...extra,
  });
  const thriftCalls = (method: string) => fake.calls.filter((call) => call.method === method);
  const statementsSent = () => thriftCalls('ExecuteStatement').map((call) => call.request.statement);

  beforeAll(async () => {
    fake = await startFakeHiveServer2(tls);
    agent = await startConnectorsAgent();
  });
  afterAll(async () => {
    await agent.close();
    await fake.close();
  });
  afterEach(() => {
    fake.calls.length = 0;
    fake.downloads.length = 0;
    fake.statements.clear();
    fake.routes.clear();
    fake.auth.expected = undefined;
    fake.throttle.remaining = 0;
    fake.cloudFetchBase.url = undefined;
  });

  const catalogs: FakeHiveStatement = {
    columns: [{ name: 'catalog', type: 'STRING' }],
    rows: [['catalog_1'], ['catalog_2']],
  };

  it.each([
    ['stored in temporary variables', queryCommands('SHOW CATALOGS', null)],
    [
      'gathered with call arguments',
      [
        { method: 'cursor', store: '_cursor' },
        { target: '_cursor', method: 'execute', args: ['SET STATEMENT_TIMEOUT = 10;'] },
        { target: '_cursor', method: 'execute', args: ['SHOW CATALOGS', null] },
        {
          target: '__utils',
          method: 'build_dict',
          kwargs: {
            all_results: { __type__: 'call', target: '_cursor', method: 'fetchall' },
            description: { __type__: 'call', target: '_cursor', method: 'description' },
            rowcount: { __type__: 'call', target: '_cursor', method: 'rowcount' },
          },
        },
      ],
    ],
  ])("answers Apollo's get_catalogs commands (%s) with python's description", async (_form, commands) => {
    // Prepare: Apollo's test_get_catalogs; the temp-variables form sends no SET, the other one does
    fake.statements.set('SET STATEMENT_TIMEOUT = 10;', {});
    fake.statements.set('SHOW CATALOGS', catalogs);

    // Act
    const answer = await execute(agent, 'databricks', commands, flat());

    // Assess
    expect(answer).toEqual({
      __mcd_result__: {
        all_results: [['catalog_1'], ['catalog_2']],
        description: [['catalog', 'string', null, null, null, null, null]],
        rowcount: 2,
      },
      __mcd_trace_id__: 'trace-1',
    });
    expect(statementsSent().at(-1)).toBe('SHOW CATALOGS');
    for (const call of fake.calls) {
      expect(call.path).toBe(HTTP_PATH);
      expect(call.headers.authorization).toBe(`Bearer ${TOKEN}`);
    }
    const [open] = thriftCalls('OpenSession');
    expect(open?.request.configuration).toEqual({ STATEMENT_TIMEOUT: '870' });
    expect(thriftCalls('ExecuteStatement').at(-1)?.request).toMatchObject({
      runAsync: true,
      canReadArrowResult: true,
      canDownloadResult: true,
    });
  });

  it("sends Apollo's SET STATEMENT_TIMEOUT, then SHOW CATALOGS, on one session", async () => {
    // Prepare
    fake.statements.set('SET STATEMENT_TIMEOUT = 10;', {
      columns: [
        { name: 'key', type: 'STRING' },
        { name: 'value', type: 'STRING' },
      ],
      rows: [['STATEMENT_TIMEOUT', '10']],
    });
    fake.statements.set('SHOW CATALOGS', catalogs);
    const commands = [
      { method: 'cursor', store: '_cursor' },
      { target: '_cursor', method: 'execute', args: ['SET STATEMENT_TIMEOUT = 10;'] },
      { target: '_cursor', method: 'execute', args: ['SHOW CATALOGS', null] },
      { target: '_cursor', method: 'fetchall' },
    ];

    // Act
    const answer = await execute(agent, 'databricks', commands, flat());

    // Assess
    expect(answer.__mcd_result__).toEqual([['catalog_1'], ['catalog_2']]);
    expect(statementsSent()).toEqual(['SET STATEMENT_TIMEOUT = 10;', 'SHOW CATALOGS']);
    const sessions = new Set(
      thriftCalls('ExecuteStatement').map((call) =>
        Buffer.from((call.request.sessionHandle as { sessionId: { guid: Buffer } }).sessionId.guid).toString('hex'),
      ),
    );
    expect(sessions.size).toBe(1);
  });

  it("answers Apollo's datetime query with a zoned timestamp", async () => {
    // Prepare: Apollo's test_datetime_values
    fake.statements.set('SELECT CURRENT_TIMESTAMP()', {
      columns: [{ name: 'current_timestamp()', type: 'TIMESTAMP' }],
      rows: [['2026-11-29T10:11:12.345678Z']],
    });

    // Act
    const answer = await execute(agent, 'databricks', queryCommands('SELECT CURRENT_TIMESTAMP()', null), flat());

    // Assess
    expect(answer.__mcd_result__).toEqual({
      all_results: [[{ __type__: 'datetime', __data__: '2026-11-29T10:11:12.345+00:00' }]],
      description: [['current_timestamp()', 'timestamp', null, null, null, null, null]],
      rowcount: 1,
    });
  });

  it('keeps BIGINT and DECIMAL exact, reads dates, binary, booleans, complex types as JSON text and duplicate names', async () => {
    // Prepare: the warehouse's native Arrow types, and a join whose two columns are both named `id`
    fake.statements.set('SELECT * FROM typed', {
      columns: [
        { name: 'id', type: 'BIGINT' },
        { name: 'amount', type: 'DECIMAL', precision: 38, scale: 2 },
        { name: 'day', type: 'DATE' },
        { name: 'payload', type: 'BINARY' },
        { name: 'ok', type: 'BOOLEAN' },
        { name: 'ratio', type: 'DOUBLE' },
        { name: 'tags', type: 'ARRAY' },
        { name: 'id', type: 'BIGINT' },
      ],
      rows: [
        [
          9007199254740993n,
          '-12345678901234567890123456789012345.67',
          '2024-01-01',
          Buffer.from('hi'),
          true,
          1.5,
          '["a","b"]',
          7n,
        ],
        [null, null, null, null, null, null, null, null],
      ],
    });

    // Act
    const answer = await execute(agent, 'databricks', queryCommands('SELECT * FROM typed'), flat());

    // Assess
    const result = answer.__mcd_result__ as { all_results: unknown[][]; description: unknown[][] };
    expect(result.all_results).toEqual([
      [
        { __type__: 'decimal', __data__: '9007199254740993' },
        { __type__: 'decimal', __data__: '-12345678901234567890123456789012345.67' },
        { __type__: 'date', __data__: '2024-01-01' },
        { __type__: 'bytes', __data__: Buffer.from('hi').toString('base64') },
        true,
        1.5,
        '["a","b"]',
        7,
      ],
      [null, null, null, null, null, null, null, null],
    ]);
    expect(result.description).toEqual([
      ['id', 'bigint', null, null, null, null, null],
      ['amount', 'decimal', null, null, 38, 2, null],
      ['day', 'date', null, null, null, null, null],
      ['payload', 'binary', null, null, null, null, null],
      ['ok', 'boolean', null, null, null, null, null],
      ['ratio', 'double', null, null, null, null, null],
      ['tags', 'array', null, null, null, null, null],
      ['id', 'bigint', null, null, null, null, null],
    ]);
  });

  it('reads a classic column-based result (a server without Arrow) exactly too', async () => {
    // Prepare
    fake.statements.set('SELECT big', {
      columns: [
        { name: 'big', type: 'BIGINT' },
        { name: 'amount', type: 'DECIMAL', precision: 20, scale: 3 },
        { name: 'at', type: 'TIMESTAMP' },
      ],
      rows: [[-9007199254740995n, '-12345678901234567.891', '2024-01-02 03:04:05.123456']],
      format: 'columns',
    });

    // Act
    const answer = await execute(agent, 'databricks', queryCommands('SELECT big'), flat());

    // Assess
    expect((answer.__mcd_result__ as { all_results: unknown }).all_results).toEqual([
      [
        { __type__: 'decimal', __data__: '-9007199254740995' },
        { __type__: 'decimal', __data__: '-12345678901234567.891' },
        { __type__: 'datetime', __data__: '2024-01-02T03:04:05.123+00:00' },
      ],
    ]);
  });

  it('downloads cloud-fetch result files through the guard, with the headers the server gave, in order', async () => {
    // Prepare: 25 rows behind three result links of at most 10 rows each
    fake.statements.set('SELECT * FROM big_table', {
      columns: [{ name: 'n', type: 'INT' }],
      rows: Array.from({ length: 25 }, (_, n) => [n]),
      format: 'cloud',
      pageSize: 10,
    });

    // Act
    const answer = await execute(agent, 'databricks', queryCommands('SELECT * FROM big_table'), flat());

    // Assess
    const result = answer.__mcd_result__ as { all_results: unknown[][]; rowcount: number };
    expect(result.all_results).toEqual(Array.from({ length: 25 }, (_, n) => [n]));
    expect(result.rowcount).toBe(25);
    expect(fake.downloads).toHaveLength(3);
    for (const download of fake.downloads) {
      expect(download.headers['x-fake-storage']).toBe('signed');
      // Storage links are pre-signed: the warehouse token is not sent to them.
      expect(download.headers.authorization).toBeUndefined();
    }
  });

  it('refuses a cloud-fetch link on a blocked address: nothing is downloaded, the answer is Forbidden', async () => {
    // Prepare: the server hands out result links on 127.0.0.2, which the operator blocked
    const guarded = await startConnectorsAgent({ MCD_HTTP_BLOCKED_CIDRS: '127.0.0.2/32' });
    fake.statements.set('SELECT * FROM elsewhere', {
      columns: [{ name: 'n', type: 'INT' }],
      rows: [[1]],
      format: 'cloud',
    });
    fake.cloudFetchBase.url = `https://127.0.0.2:${fake.port}`;
    try {
      // Act
      const answer = await execute(guarded, 'databricks', queryCommands('SELECT * FROM elsewhere'), flat());

      // Assess
      expect(answer).toMatchObject({
        __mcd_error__: 'Destination refused: blocked address 127.0.0.2',
        __mcd_error_type__: 'Forbidden',
      });
      expect(fake.downloads).toEqual([]);
    } finally {
      await guarded.close();
    }
  });

  it('refuses a warehouse on a blocked address before any request', async () => {
    // Prepare
    const guarded = await startConnectorsAgent({ MCD_HTTP_BLOCKED_CIDRS: '127.0.0.2/32' });
    try {
      // Act
      const answer = await execute(
        guarded,
        'databricks',
        queryCommands('SHOW CATALOGS'),
        flat({ server_hostname: '127.0.0.2' }),
      );

      // Assess
      expect(answer).toMatchObject({
        __mcd_error__: 'Destination refused: blocked address 127.0.0.2',
        __mcd_error_type__: 'Forbidden',
      });
      expect(fake.calls).toEqual([]);
    } finally {
      await guarded.close();
    }
  });

  it('binds pyformat parameters natively and sends execute(…, timeout=) as the query timeout', async () => {
    // Prepare
    fake.statements.set('SELECT ? AS x, ? AS y, ? AS z', { columns: [{ name: 'x', type: 'STRING' }], rows: [['a']] });
    const commands = [
      { method: 'cursor', store: 'c' },
      {
        target: 'c',
        method: 'execute',
        args: ['SELECT %(x)s AS x, %(y)s AS y, %(z)s AS z', { x: "it's", y: 2, z: null }],
        kwargs: { timeout: 30 },
      },
      { target: 'c', method: 'fetchall' },
    ];

    // Act
    const answer = await execute(agent, 'databricks', commands, flat());

    // Assess
    expect(answer.__mcd_result__).toEqual([['a']]);
    const [call] = thriftCalls('ExecuteStatement');
    expect(call?.request.statement).toBe('SELECT ? AS x, ? AS y, ? AS z');
    const [text, number, none] = (call?.request.parameters ?? []) as Record<string, unknown>[];
    expect(text).toMatchObject({ type: 'STRING', value: { stringValue: "it's" } });
    expect(number).toMatchObject({ type: 'INTEGER', value: { stringValue: '2' } });
    // SQL NULL: neither a type nor a value, as the driver binds it.
    expect(none).toMatchObject({ type: null, value: null });
    expect(Number(call?.request.queryTimeout)).toBe(30);
  });

  it('streams a result page by page and closes what the operation left unread', async () => {
    // Prepare: 1 000 rows in pages of 50, read with fetchmany(3) only (the cursor reads ahead by 100 rows)
    fake.statements.set('SELECT n FROM paged', {
      columns: [{ name: 'n', type: 'INT' }],
      rows: Array.from({ length: 1000 }, (_, n) => [n]),
      pageSize: 50,
    });
    const commands = [
      { method: 'cursor', store: 'c' },
      { target: 'c', method: 'execute', args: ['SELECT n FROM paged'] },
      { target: 'c', method: 'fetchmany', args: [3] },
    ];

    // Act
    const answer = await execute(agent, 'databricks', commands, flat());

    // Assess
    expect(answer.__mcd_result__).toEqual([[0], [1], [2]]);
    // The first page came with the ExecuteStatement answer, the second with one FetchResults; the rest stayed there.
    expect(thriftCalls('FetchResults')).toHaveLength(1);
    expect(thriftCalls('CloseOperation')).toHaveLength(1);
  });

  it.each([
    [
      'a missing table',
      {
        message: '[TABLE_OR_VIEW_NOT_FOUND] The table or view `nope` cannot be found. SQLSTATE: 42P01',
        sqlState: '42P01',
        errorClass: 'TABLE_OR_VIEW_NOT_FOUND',
      },
      'DatabaseError',
    ],
    [
      'a missing privilege',
      {
        message: '[INSUFFICIENT_PERMISSIONS] Insufficient privileges: User does not have USE CATALOG.',
        sqlState: '42501',
        errorClass: 'INSUFFICIENT_PERMISSIONS',
      },
      'InsufficientPrivilege',
    ],
  ])('reports %s as python raises it, with SQLSTATE and error class', async (_case, error, type) => {
    // Prepare
    fake.statements.set('SELECT * FROM nope', { error });

    // Act
    const answer = await execute(agent, 'databricks', queryCommands('SELECT * FROM nope'), flat());

    // Assess
    expect(answer).toMatchObject({
      __mcd_error__: error.message,
      __mcd_exception__: `ServerOperationError: ${error.message}`,
      __mcd_error_type__: type,
      __mcd_error_attrs__: { sqlstate: error.sqlState, error_class: error.errorClass, operation_id: null },
    });
  });

  it('reports a statement the server refuses at once (an error status) the same way', async () => {
    // Prepare
    fake.statements.set('SELEC 1', {
      error: { message: "[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'. SQLSTATE: 42601", immediate: true },
    });

    // Act
    const answer = await execute(agent, 'databricks', queryCommands('SELEC 1'), flat());

    // Assess
    expect(answer).toMatchObject({
      __mcd_error__: "[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'. SQLSTATE: 42601",
      __mcd_error_type__: 'DatabaseError',
      __mcd_error_attrs__: { error_class: 'PARSE_SYNTAX_ERROR' },
    });
  });

  it('reports a refused token as a RequestError naming the HTTP status, never echoing the token', async () => {
    // Prepare
    fake.auth.expected = 'Bearer the-right-token';

    // Act
    const answer = await execute(agent, 'databricks', queryCommands('SHOW CATALOGS'), flat());

    // Assess
    // A failure to create the client (the session is opened there): no error type, as in Apollo.
    expect(answer).toMatchObject({
      __mcd_error__: 'Error during request to server: Received a response with a bad HTTP status code: 401',
      __mcd_exception__:
        'RequestError: Error during request to server: Received a response with a bad HTTP status code: 401',
    });
    expect(JSON.stringify(answer)).not.toContain(TOKEN);
  });

  it("retries a throttled status poll (the driver's retry policy, Python's _retry_delay_min)", async () => {
    // Prepare: a statement still running, whose first status poll answers 503
    fake.statements.set('SELECT slow', { columns: [{ name: 'n', type: 'INT' }], rows: [[1]], runningPolls: 1 });
    fake.throttle.remaining = 1;
    fake.throttle.method = 'GetOperationStatus';
    fake.throttle.retryAfter = '0';

    // Act
    const answer = await execute(agent, 'databricks', queryCommands('SELECT slow'), flat({ _retry_delay_min: 0.01 }));

    // Assess
    expect((answer.__mcd_result__ as { all_results: unknown }).all_results).toEqual([[1]]);
    expect(fake.throttle.remaining).toBe(0);
  });

  it('refuses connect_args without a token or OAuth credentials (the driver would start a browser login)', async () => {
    // Act
    const answer = await execute(
      agent,
      'databricks',
      queryCommands('SHOW CATALOGS'),
      flat({ access_token: undefined }),
    );

    // Assess
    expect(answer).toMatchObject({
      __mcd_error__: "Databricks agent client requires 'access_token' or 'credentials_provider' in connect_args",
      __mcd_exception__:
        "ValueError: Databricks agent client requires 'access_token' or 'credentials_provider' in connect_args",
    });
    expect(fake.calls).toEqual([]);
  });

  it('opens the session on the initial catalog and schema, with the session configuration given', async () => {
    // Prepare
    fake.statements.set('SHOW CATALOGS', catalogs);

    // Act
    await execute(
      agent,
      'databricks',
      queryCommands('SHOW CATALOGS'),
      flat({ catalog: 'main', schema: 'sales', session_configuration: { statement_timeout: 60, ansi_mode: false } }),
    );

    // Assess
    const [open] = thriftCalls('OpenSession');
    expect(open?.request).toMatchObject({
      initialNamespace: { catalogName: 'main', schemaName: 'sales' },
      configuration: { statement_timeout: '60', ansi_mode: 'false' },
    });
    expect(open?.request.configuration).not.toHaveProperty('STATEMENT_TIMEOUT');
  });

  it("takes Apollo's pre-shaped connect_args, the CA as a file under MCD_TEMP_FOLDER; a file elsewhere is refused", async () => {
    // Prepare: what a control plane sends pre-shaped (Apollo's test credentials), and the CA written where allowed
    fake.statements.set('SHOW CATALOGS', catalogs);
    const folder = await mkdtemp(join(tmpdir(), 'artemis-databricks-'));
    const caFile = join(folder, 'ca.pem');
    await writeFile(caFile, tls.cert);
    const shaped = (ca: string) => ({
      connect_args: {
        databricks_workspace_url: `https://127.0.0.1/`,
        _port: fake.port,
        http_path: HTTP_PATH,
        access_token: TOKEN,
        _use_arrow_native_complex_types: false,
        _tls_trusted_ca_file: ca,
      },
    });

    try {
      // Act
      const answer = await execute(agent, 'databricks', queryCommands('SHOW CATALOGS'), shaped(caFile));
      const outside = await execute(
        agent,
        'databricks',
        queryCommands('SHOW CATALOGS'),
        shaped('/etc/ssl/certs/x.pem'),
      );

      // Assess
      expect((answer.__mcd_result__ as { all_results: unknown }).all_results).toEqual([['catalog_1'], ['catalog_2']]);
      expect(outside).toMatchObject({ __mcd_error_type__: 'Forbidden' });
      expect(String(outside.__mcd_error__)).toContain('_tls_trusted_ca_file');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
