import { type FakeTrino, selfSignedCertificate, startFakeTrino } from '@artemis/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, startConnectorsAgent, type TestAgent } from '../support/connectors-agent';
import { queryCommands } from '../support/sql-operations';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('starburst-galaxy against a Trino protocol fake', () => {
  let trino: FakeTrino;
  let agent: TestAgent;
  const credentials = () => ({
    connect_args: {
      host: '127.0.0.1',
      port: String(trino.port),
      http_scheme: 'http',
      catalog: 'fizz',
      schema: 'buzz',
      user: 'foo',
      password: 'bar',
    },
  });
  beforeAll(async () => {
    trino = await startFakeTrino();
    agent = await startConnectorsAgent();
  });
  afterAll(async () => {
    await agent.close();
    await trino.close();
  });
  afterEach(() => {
    trino.requests.length = 0;
    trino.cancelled.length = 0;
    trino.statements.clear();
    trino.basicAuth.expected = undefined;
    trino.nextUriBase.url = undefined;
  });

  it("answers Apollo's query commands with rows, trino-python's description and rowcount", async () => {
    // Prepare: the statement of Apollo's test_query_starburst_galaxy, two pages behind a queued poll
    trino.statements.set('SELECT idx, value FROM table', {
      columns: [
        { name: 'idx', type: 'integer' },
        { name: 'value', type: 'double' },
      ],
      rows: [
        [1, 11.1],
        [2, 22.2],
        [3, 'NaN'],
      ],
      pageSize: 2,
      queuedPolls: 1,
    });

    // Act
    const answer = await execute(
      agent,
      'starburst-galaxy',
      queryCommands('SELECT idx, value FROM table', null),
      credentials(),
    );

    // Assess
    expect(answer).toEqual({
      __mcd_result__: {
        all_results: [
          [1, 11.1],
          [2, 22.2],
          [3, { __type__: 'float', __data__: 'NaN' }],
        ],
        description: [
          ['idx', 'integer', null, null, null, null, null],
          ['value', 'double', null, null, null, null, null],
        ],
        rowcount: 3,
      },
      __mcd_trace_id__: 'trace-1',
    });
    const [post, ...pages] = trino.requests;
    expect(post).toMatchObject({ method: 'POST', path: '/v1/statement', body: 'SELECT idx, value FROM table' });
    expect(post?.headers).toMatchObject({
      'x-trino-user': 'foo',
      'x-trino-catalog': 'fizz',
      'x-trino-schema': 'buzz',
      'x-trino-source': 'artemis',
      authorization: basic('foo', 'bar'),
    });
    expect(pages.map((request) => request.method)).toEqual(['GET', 'GET', 'GET']);
    expect(pages.every((request) => request.headers.authorization === basic('foo', 'bar'))).toBe(true);
  });

  it('keeps bigints, decimals, dates, zoned timestamps and binary exact', async () => {
    // Prepare
    trino.statements.set('SELECT * FROM typed', {
      columns: [
        { name: 'big', type: 'bigint' },
        { name: 'amount', type: 'decimal(38,10)' },
        { name: 'day', type: 'date' },
        { name: 'at', type: 'timestamp(3)' },
        { name: 'paris', type: 'timestamp(3) with time zone' },
        { name: 'offset', type: 'timestamp(6) with time zone' },
        { name: 'raw', type: 'varbinary' },
        { name: 'name', type: 'varchar(12)' },
      ],
      rows: [
        [
          9007199254740993n,
          '12345678901234567890.0123456789',
          '2024-02-29',
          '2024-01-02 03:04:05.123',
          '2024-07-01 12:00:00.500 Europe/Paris',
          '2024-01-02 03:04:05.123456 +05:30',
          Buffer.from('hi').toString('base64'),
          'x',
        ],
      ],
    });

    // Act
    const answer = await execute(agent, 'starburst-galaxy', queryCommands('SELECT * FROM typed'), credentials());

    // Assess
    const result = answer.__mcd_result__ as { all_results: unknown[][]; description: unknown[][] };
    expect(result.all_results).toEqual([
      [
        { __type__: 'decimal', __data__: '9007199254740993' },
        { __type__: 'decimal', __data__: '12345678901234567890.0123456789' },
        { __type__: 'date', __data__: '2024-02-29' },
        { __type__: 'datetime', __data__: '2024-01-02T03:04:05.123+00:00' },
        { __type__: 'datetime', __data__: '2024-07-01T10:00:00.500+00:00' },
        { __type__: 'datetime', __data__: '2024-01-01T21:34:05.123+00:00' },
        { __type__: 'bytes', __data__: Buffer.from('hi').toString('base64') },
        'x',
      ],
    ]);
    expect(result.description[1]).toEqual(['amount', 'decimal(38,10)', null, null, 38, 10, null]);
    expect(result.description[7]).toEqual(['name', 'varchar(12)', null, 12, null, null, null]);
  });

  it('streams: an operation that fetched part of a result cancels the rest on the server', async () => {
    // Prepare
    trino.statements.set('SELECT n FROM big', {
      columns: [{ name: 'n', type: 'integer' }],
      rows: Array.from({ length: 5000 }, (_, n) => [n]),
      pageSize: 100,
    });
    const commands = [
      { method: 'cursor', store: 'c' },
      { target: 'c', method: 'execute', args: ['SELECT n FROM big'] },
      { target: 'c', method: 'fetchmany', args: [3] },
    ];

    // Act
    const answer = await execute(agent, 'starburst-galaxy', commands, credentials());

    // Assess
    expect(answer.__mcd_result__).toEqual([[0], [1], [2]]);
    const pagesRead = trino.requests.filter((request) => request.method === 'GET').length;
    expect(pagesRead).toBeLessThan(5);
    expect(trino.cancelled).toHaveLength(1);
  });

  it("answers a failed statement with trino-python's error, type and attributes", async () => {
    // Act: the fake fails statements it does not know with SYNTAX_ERROR
    const answer = await execute(agent, 'starburst-galaxy', queryCommands('SELEC 1'), credentials());

    // Assess
    const queryId = trino.requests.find((request) => request.method === 'GET')?.path.split('/')[4];
    expect(answer).toMatchObject({
      __mcd_error__: `TrinoUserError(type=USER_ERROR, name=SYNTAX_ERROR, message="line 1:1: mismatched input 'SELEC'. Expecting: 'SELECT', 'SHOW', <query>", query_id=${queryId})`,
      __mcd_exception__: expect.stringMatching(/^TrinoUserError: TrinoUserError\(type=USER_ERROR/),
      __mcd_error_type__: 'DatabaseError',
      __mcd_error_attrs__: { error_code: 1, error_name: 'SYNTAX_ERROR', error_type: 'USER_ERROR', query_id: queryId },
    });
  });

  it('answers a refused password with the status, never the password', async () => {
    // Prepare
    trino.basicAuth.expected = 'foo:right';

    // Act
    const answer = await execute(agent, 'starburst-galaxy', queryCommands('SELECT 1'), credentials());

    // Assess
    expect(answer).toMatchObject({
      __mcd_error__: 'HTTP error 401: Unauthorized',
      __mcd_error_type__: 'DatabaseError',
      __mcd_error_attrs__: { status_code: 401 },
    });
    expect(JSON.stringify(answer)).not.toContain('bar');
  });

  it('answers a throttled coordinator (503) with an error envelope', async () => {
    // Prepare
    trino.throttle.remaining = 1;

    // Act
    const answer = await execute(agent, 'starburst-galaxy', queryCommands('SELECT 1'), credentials());

    // Assess
    expect(answer).toMatchObject({
      __mcd_error__: 'HTTP error 503: Service Unavailable',
      __mcd_error_attrs__: { status_code: 503 },
    });
  });

  it('refuses credentials without a password, naming the field and not the user', async () => {
    // Prepare
    const { password: _password, ...withoutPassword } = credentials().connect_args;

    // Act
    const answer = await execute(agent, 'starburst-galaxy', queryCommands('SELECT 1'), {
      connect_args: { ...withoutPassword, user: 'mc-service@org.galaxy.starburst.io' },
    });

    // Assess
    expect(answer.__mcd_error__).toBe("[mapper_validation] Missing required fields: ['password']");
    expect(JSON.stringify(answer)).not.toContain('mc-service@org');
    expect(trino.requests).toEqual([]);
  });

  it('takes flat credentials (the CTP path) with the port as a string', async () => {
    // Prepare
    trino.statements.set('SELECT 1', { columns: [{ name: '_col0', type: 'integer' }], rows: [[1]] });

    // Act
    const answer = await execute(agent, 'starburst-galaxy', queryCommands('SELECT 1'), credentials().connect_args);

    // Assess
    expect((answer.__mcd_result__ as { all_results: unknown }).all_results).toEqual([[1]]);
  });
});

describe('starburst over the SSRF guard', () => {
  let trino: FakeTrino;
  afterAll(() => trino.close());
  beforeAll(async () => {
    trino = await startFakeTrino();
    trino.statements.set('SELECT 1', { columns: [{ name: '_col0', type: 'integer' }], rows: [[1]] });
  });

  it('refuses a loopback coordinator unless loopback is allowed', async () => {
    // Prepare
    const agent = await startConnectorsAgent({ MCD_NETWORK_ALLOW_LOOPBACK: 'false' });
    try {
      // Act
      const answer = await execute(agent, 'starburst-galaxy', queryCommands('SELECT 1'), {
        host: '127.0.0.1',
        port: trino.port,
        user: 'u',
        password: 'p',
      });

      // Assess
      expect(answer).toMatchObject({
        __mcd_error__: 'Request failed: Destination refused: blocked address 127.0.0.1',
        __mcd_error_type__: 'DatabaseError',
      });
      expect(trino.requests).toEqual([]);
    } finally {
      await agent.close();
    }
  });

  it('checks every nextUri: a page on a blocked address is refused, not fetched', async () => {
    // Prepare: the coordinator hands out nextUris on 127.0.0.2, which the operator blocked
    const agent = await startConnectorsAgent({ MCD_HTTP_BLOCKED_CIDRS: '127.0.0.2/32' });
    trino.nextUriBase.url = `http://127.0.0.2:${trino.port}`;
    try {
      // Act
      const answer = await execute(agent, 'starburst-galaxy', queryCommands('SELECT 1'), {
        host: '127.0.0.1',
        port: trino.port,
        http_scheme: 'http',
        user: 'u',
        password: 'p',
      });

      // Assess
      expect(answer.__mcd_error__).toBe('Request failed: Destination refused: blocked address 127.0.0.2');
      expect(trino.requests.map((request) => request.method)).toEqual(['POST']);
    } finally {
      await agent.close();
    }
  });
});

describe('starburst-enterprise: the DB-API and do_http_request over verified TLS', () => {
  const certificate = selfSignedCertificate();
  let trino: FakeTrino;
  let agent: TestAgent;
  const credentials = () => ({
    host: '127.0.0.1',
    port: String(trino.port),
    user: 'foo',
    password: 'bar',
    catalog: 'hive',
    ssl_options: { ca_data: certificate.cert },
  });
  beforeAll(async () => {
    trino = await startFakeTrino(certificate);
    agent = await startConnectorsAgent();
  });
  afterAll(async () => {
    await agent.close();
    await trino.close();
  });

  it('runs a statement over HTTPS, trusting the CA from ssl_options', async () => {
    // Prepare
    trino.statements.set('SHOW CATALOGS', {
      columns: [{ name: 'Catalog', type: 'varchar(6)' }],
      rows: [['hive'], ['system']],
    });

    // Act
    const answer = await execute(agent, 'starburst-enterprise', queryCommands('SHOW CATALOGS'), credentials());

    // Assess
    expect(answer.__mcd_result__).toEqual({
      all_results: [['hive'], ['system']],
      description: [['Catalog', 'varchar(6)', null, 6, null, null, null]],
      rowcount: 2,
    });
  });

  it('sends do_http_request to the cluster itself with Basic credentials and Accept: application/json', async () => {
    // Prepare
    trino.routes.set('/api/v1/dataProduct/products', [{ id: 'p1', name: 'orders' }]);

    // Act
    const answer = await execute(
      agent,
      'starburst-enterprise',
      [{ method: 'do_http_request', kwargs: { path: 'api/v1/dataProduct/products', params: { limit: 5 } } }],
      credentials(),
    );

    // Assess
    expect(answer.__mcd_result__).toEqual([{ id: 'p1', name: 'orders' }]);
    const request = trino.requests.at(-1);
    expect(request).toMatchObject({ method: 'GET', path: '/api/v1/dataProduct/products?limit=5' });
    expect(request?.headers).toMatchObject({ authorization: basic('foo', 'bar'), accept: 'application/json' });
  });

  it('refuses a path that could smuggle a second request line', async () => {
    // Act
    const answer = await execute(
      agent,
      'starburst-enterprise',
      [{ method: 'do_http_request', args: ['/x\r\nHost: elsewhere'] }],
      credentials(),
    );

    // Assess
    expect(answer).toMatchObject({
      __mcd_error__: 'do_http_request: path must be a path on the Starburst host (no CR/LF)',
      __mcd_error_type__: 'Forbidden',
    });
  });
});
