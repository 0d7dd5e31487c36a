import { generateKeyPairSync } from 'node:crypto';
import { type FakeSnowflake, sendJson, startFakeSnowflake, startLocalHttpServer } from '@artemis/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, startConnectorsAgent, type TestAgent } from '../support/connectors-agent';
import { gatherStored, queryCommands } from '../support/sql-operations';

describe('snowflake against a fake of the Snowflake endpoints (snowflake-sdk)', () => {
  let fake: FakeSnowflake;
  let agent: TestAgent;
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const at = () => ({ account: 'acme', host: '127.0.0.1', port: fake.port, protocol: 'http' });
  const password = () => ({ connect_args: { ...at(), user: 'u', password: 'p', warehouse: 'w' } });
  beforeAll(async () => {
    fake = await startFakeSnowflake();
    fake.accounts.passwords.set('u', 'p');
    fake.accounts.publicKeys.set('keyed', keys.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    fake.accounts.oauthTokens.add('oauth-access-token');
    agent = await startConnectorsAgent();
  });
  afterAll(async () => {
    await agent.close();
    await fake.close();
  });
  afterEach(() => {
    fake.requests.length = 0;
    fake.statements.clear();
    fake.routes.clear();
  });

  it("answers Apollo's query commands with python's description, logging in with the password", async () => {
    // Prepare: Apollo's test_query
    fake.statements.set('SELECT name, value FROM table', {
      rowtype: [
        { name: 'NAME', type: 'text', length: 16 },
        { name: 'VALUE', type: 'real', nullable: false },
      ],
      rowset: [
        ['name_1', '11.1'],
        ['name_2', '22.2'],
      ],
    });

    // Act
    const answer = await execute(agent, 'snowflake', queryCommands('SELECT name, value FROM table', null), password());

    // Assess
    expect(answer).toEqual({
      __mcd_result__: {
        all_results: [
          ['name_1', 11.1],
          ['name_2', 22.2],
        ],
        description: [
          ['NAME', 2, null, null, null, null, true],
          ['VALUE', 1, null, null, null, null, false],
        ],
        rowcount: 2,
      },
      __mcd_trace_id__: 'trace-1',
    });
    const login = fake.requests.find((request) => request.path.startsWith('/session/v1/login-request'));
    expect(login?.body).toMatchObject({
      data: { ACCOUNT_NAME: 'acme', LOGIN_NAME: 'u', PASSWORD: 'p', AUTHENTICATOR: 'SNOWFLAKE' },
    });
    const query = fake.requests.find((request) => request.path.startsWith('/queries/v1/query-request'));
    expect(query?.body).toMatchObject({ sqlText: 'SELECT name, value FROM table' });
    expect(query?.headers.authorization).toBe(`Snowflake Token="${fake.sessionToken}"`);
  });

  it('streams a large result in order across fetchmany and fetchall, every row once', async () => {
    // Prepare: more rows than one batch of the cursor (10 000), read as 3, then 12 000, then the rest.
    const total = 25_003;
    fake.statements.set('SELECT id FROM big', {
      rowtype: [{ name: 'ID', type: 'fixed', precision: 38, scale: 0 }],
      rowset: Array.from({ length: total }, (_, i) => [String(i)]),
    });
    const commands = [
      { method: 'cursor', store: 'c' },
      { target: 'c', method: 'execute', args: ['SELECT id FROM big'] },
      { target: 'c', method: 'fetchmany', args: [3], store: 'first' },
      { target: 'c', method: 'fetchmany', args: [12_000], store: 'second' },
      { target: 'c', method: 'fetchall', store: 'rest' },
      { target: 'c', method: 'rowcount', store: 'rowcount' },
      gatherStored('first', 'second', 'rest', 'rowcount'),
    ];

    // Act
    const answer = (await execute(agent, 'snowflake', commands, password())) as {
      __mcd_result__: { first: number[][]; second: number[][]; rest: number[][]; rowcount: number };
    };

    // Assess
    const { first, second, rest, rowcount } = answer.__mcd_result__;
    expect([first.length, second.length, rest.length, rowcount]).toEqual([3, 12_000, total - 12_003, total]);
    expect([...first, ...second, ...rest].map(([id]) => id)).toEqual(Array.from({ length: total }, (_, i) => i));
  });

  it('keeps NUMBER exact and reads dates, times, timestamps with zones, variants and binary', async () => {
    // Prepare: Snowflake's JSON result format, every value as text
    fake.statements.set('SELECT * FROM typed', {
      rowtype: [
        { name: 'BIG', type: 'fixed', precision: 38, scale: 0 },
        { name: 'SMALL', type: 'fixed', precision: 38, scale: 0 },
        { name: 'AMOUNT', type: 'fixed', precision: 10, scale: 2 },
        { name: 'D', type: 'date' },
        { name: 'T', type: 'time', scale: 9 },
        { name: 'NTZ', type: 'timestamp_ntz', scale: 9 },
        { name: 'TZ', type: 'timestamp_tz', scale: 9 },
        { name: 'V', type: 'variant' },
        { name: 'BIN', type: 'binary' },
        { name: 'OK', type: 'boolean' },
      ],
      rowset: [
        [
          '9007199254740993',
          '42',
          '12.50',
          '19723',
          '3723.123456789',
          '1704164645.123456789',
          '1704164645.123000000 1740',
          '{\n  "a": 1\n}',
          '6869',
          '1',
        ],
      ],
    });

    // Act
    const answer = await execute(agent, 'snowflake', queryCommands('SELECT * FROM typed'), password());

    // Assess
    const result = answer.__mcd_result__ as { all_results: unknown[][]; description: unknown[][] };
    expect(result.all_results).toEqual([
      [
        { __type__: 'decimal', __data__: '9007199254740993' },
        42,
        { __type__: 'decimal', __data__: '12.50' },
        { __type__: 'date', __data__: '2024-01-01' },
        { __type__: 'time', __data__: '01:02:03' },
        { __type__: 'datetime', __data__: '2024-01-02T03:04:05.123+00:00' },
        { __type__: 'datetime', __data__: '2024-01-02T03:04:05.123+00:00' },
        '{\n  "a": 1\n}',
        { __type__: 'bytes', __data__: Buffer.from('hi').toString('base64') },
        true,
      ],
    ]);
    expect(result.description[2]).toEqual(['AMOUNT', 0, null, null, 10, 2, true]);
    expect(result.description.map((column) => column[1])).toEqual([0, 0, 0, 3, 12, 8, 7, 5, 11, 13]);
  });

  it('binds pyformat parameters and sends execute(…, timeout=) as the statement timeout', async () => {
    // Prepare
    fake.statements.set('SELECT ? AS x, ? AS y', { rowtype: [{ name: 'X', type: 'text' }], rowset: [['a']] });
    const commands = [
      { method: 'cursor', store: 'c' },
      {
        target: 'c',
        method: 'execute',
        args: ['SELECT %(x)s AS x, %(y)s AS y', { x: 'a', y: 2 }],
        kwargs: { timeout: 30 },
      },
      { target: 'c', method: 'fetchall' },
    ];

    // Act
    const answer = await execute(agent, 'snowflake', commands, password());

    // Assess
    expect(answer.__mcd_result__).toEqual([['a']]);
    const query = fake.requests.find((request) => request.path.startsWith('/queries/v1/query-request'));
    expect(query?.body).toMatchObject({
      sqlText: 'SELECT ? AS x, ? AS y',
      bindings: { '1': { type: 'TEXT', value: 'a' }, '2': { type: 'FIXED', value: '2' } },
      parameters: { STATEMENT_TIMEOUT_IN_SECONDS: 30 },
    });
  });

  it("answers a failed statement as Apollo's test_programming_error expects", async () => {
    // Act: the fake fails statements it does not know with 001003 (42000)
    const answer = await execute(agent, 'snowflake', queryCommands('SELEC 1'), password());

    // Assess
    expect(answer).toMatchObject({
      __mcd_error__: expect.stringMatching(
        /^001003 \(42000\): [0-9a-f-]+: SQL compilation error:\nsyntax error line 1 at position 0 unexpected 'SELEC'\.$/,
      ),
      __mcd_exception__: expect.stringMatching(/^ProgrammingError: 001003 \(42000\)/),
      __mcd_error_type__: 'ProgrammingError',
      __mcd_error_attrs__: { errno: 1003, sqlstate: '42000' },
    });
  });

  it('answers a refused login as a DatabaseError without echoing the password', async () => {
    // Act
    const answer = await execute(agent, 'snowflake', queryCommands('SELECT 1'), {
      connect_args: { ...at(), user: 'u', password: 'not-the-password' },
    });

    // Assess
    // (a client that could not be created has no error hooks yet: the envelope names the exception only)
    expect(answer).toMatchObject({
      __mcd_error__: '390100: Incorrect username or password was specified.',
      __mcd_exception__: 'DatabaseError: 390100: Incorrect username or password was specified.',
    });
    expect(JSON.stringify(answer)).not.toContain('not-the-password');
  });

  it('logs in with a key pair from flat credentials: an encrypted PEM and its passphrase', async () => {
    // Prepare
    fake.statements.set('SELECT CURRENT_USER()', { rowtype: [{ name: 'U', type: 'text' }], rowset: [['KEYED']] });
    const pem = keys.privateKey.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'pass phrase',
    });

    // Act
    const answer = await execute(agent, 'snowflake', queryCommands('SELECT CURRENT_USER()'), {
      ...at(),
      user: 'keyed',
      private_key_pem: pem.toString(),
      private_key_passphrase: 'pass phrase',
    });

    // Assess
    expect((answer.__mcd_result__ as { all_results: unknown }).all_results).toEqual([['KEYED']]);
    const login = fake.requests.find((request) => request.path.startsWith('/session/v1/login-request'));
    expect(login?.body).toMatchObject({ data: { AUTHENTICATOR: 'SNOWFLAKE_JWT', LOGIN_NAME: 'keyed' } });
  });

  it('logs in with a key pair pre-shaped as DER bytes', async () => {
    // Prepare
    fake.statements.set('SELECT 1', {
      rowtype: [{ name: '1', type: 'fixed', precision: 1, scale: 0 }],
      rowset: [['1']],
    });
    const der = keys.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');

    // Act
    const answer = await execute(agent, 'snowflake', queryCommands('SELECT 1'), {
      connect_args: { ...at(), user: 'keyed', private_key: { __type__: 'bytes', __data__: der } },
    });

    // Assess
    expect((answer.__mcd_result__ as { all_results: unknown }).all_results).toEqual([[1]]);
  });

  it('logs in with an OAuth token fetched by the pipeline (client credentials)', async () => {
    // Prepare
    const idp = await startLocalHttpServer((_request, _body, response) => {
      sendJson(response, 200, { access_token: 'oauth-access-token', token_type: 'Bearer', expires_in: 600 });
    });
    fake.statements.set('SELECT 1', {
      rowtype: [{ name: '1', type: 'fixed', precision: 1, scale: 0 }],
      rowset: [['1']],
    });
    try {
      // Act
      const answer = await execute(agent, 'snowflake', queryCommands('SELECT 1'), {
        ...at(),
        user: 'svc',
        oauth: {
          client_id: 'id',
          client_secret: 'secret',
          access_token_endpoint: `${idp.url}/oauth/token`,
          grant_type: 'client_credentials',
        },
      });

      // Assess
      expect((answer.__mcd_result__ as { all_results: unknown }).all_results).toEqual([[1]]);
      const login = fake.requests.find((request) => request.path.startsWith('/session/v1/login-request'));
      expect(login?.body).toMatchObject({ data: { AUTHENTICATOR: 'OAUTH', TOKEN: 'oauth-access-token' } });
    } finally {
      await idp.close();
    }
  });

  it('execute_sql_query answers {columns, rows, is_partial} with values as text', async () => {
    // Prepare
    fake.statements.set('SELECT id, amount FROM orders', {
      rowtype: [
        { name: 'ID', type: 'fixed', precision: 38, scale: 0 },
        { name: 'AMOUNT', type: 'fixed', precision: 10, scale: 2 },
      ],
      rowset: [
        ['1', '1.50'],
        ['2', '2.50'],
        ['3', '3.50'],
      ],
    });

    // Act
    const answer = await execute(
      agent,
      'snowflake',
      [
        {
          method: 'execute_sql_query',
          kwargs: { sql_query: 'SELECT id, amount FROM orders', max_results: 2, query_timeout: 60 },
        },
      ],
      password(),
    );

    // Assess
    expect(answer.__mcd_result__).toEqual({
      columns: ['ID', 'AMOUNT'],
      rows: [
        [1, '1.50'],
        [2, '2.50'],
      ],
      is_partial: true,
    });
  });

  it('execute_rest_request reuses the session token on the account host and scrubs it from the answer', async () => {
    // Prepare
    fake.routes.set('/api/v2/cortex/inference:complete', [200, { echoed: `Snowflake Token="${fake.sessionToken}"` }]);
    fake.routes.set('/api/v2/statements', [422, 'bad request body']);

    // Act
    const ok = await execute(
      agent,
      'snowflake',
      [{ method: 'execute_rest_request', args: ['POST', '/api/v2/cortex/inference:complete', { model: 'm' }, 30] }],
      password(),
    );
    const failed = await execute(
      agent,
      'snowflake',
      [{ method: 'execute_rest_request', kwargs: { method: 'GET', path: '/api/v2/statements' } }],
      password(),
    );

    // Assess
    expect(ok.__mcd_result__).toEqual({ status_code: 200, response: { echoed: 'Snowflake Token="***"' } });
    expect(failed.__mcd_result__).toEqual({ status_code: 422, error: 'bad request body' });
    const rest = fake.requests.find((request) => request.path === '/api/v2/cortex/inference:complete');
    expect(rest?.headers.authorization).toBe(`Snowflake Token="${fake.sessionToken}"`);
    expect(rest?.body).toEqual({ model: 'm' });
  });

  it.each(['https://elsewhere.example/api', '//elsewhere.example/api', 'api/v2', '/a\r\nHost: x'])(
    'execute_rest_request refuses %j: the token only goes to the account host',
    async (path) => {
      // Act
      const answer = await execute(
        agent,
        'snowflake',
        [{ method: 'execute_rest_request', args: ['GET', path] }],
        password(),
      );

      // Assess
      expect(answer).toMatchObject({
        __mcd_error__: `path must be a relative path beginning with '/' (no scheme or host, no CR/LF), got: ${JSON.stringify(path)}`,
        __mcd_error_type__: 'Forbidden',
      });
    },
  );
});
