import { type FakeTrino, startFakeTrino } from '@artemis/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, startConnectorsAgent, type TestAgent } from '../support/connectors-agent';
import { queryCommands } from '../support/sql-operations';

describe('presto against a PrestoDB protocol fake (presto-client)', () => {
  let presto: FakeTrino;
  let agent: TestAgent;
  // Apollo's test credentials (test_presto_client.py), aimed at the fake: `auth` becomes Basic credentials.
  const credentials = () => ({
    connect_args: {
      host: '127.0.0.1',
      port: String(presto.port),
      user: 'foo',
      http_scheme: 'http',
      catalog: 'fizz',
      schema: 'buzz',
      auth: { username: 'foo', password: 'bar' },
    },
  });
  beforeAll(async () => {
    presto = await startFakeTrino();
    agent = await startConnectorsAgent();
  });
  afterAll(async () => {
    await agent.close();
    await presto.close();
  });
  afterEach(() => {
    presto.requests.length = 0;
    presto.cancelled.length = 0;
    presto.statements.clear();
    presto.throttle.remaining = 0;
  });

  it("answers Apollo's query commands, sending PrestoDB's headers", async () => {
    // Prepare
    presto.statements.set('SELECT idx, value FROM table', {
      columns: [
        { name: 'idx', type: 'integer' },
        { name: 'value', type: 'double' },
      ],
      rows: [
        ['name_1', 1],
        ['name_2', 22.2],
      ],
      queuedPolls: 2,
    });

    // Act
    const answer = await execute(agent, 'presto', queryCommands('SELECT idx, value FROM table', null), credentials());

    // Assess
    expect(answer).toEqual({
      __mcd_result__: {
        all_results: [
          ['name_1', 1],
          ['name_2', 22.2],
        ],
        description: [
          ['idx', 'integer', null, null, null, null, null],
          ['value', 'double', null, null, null, null, null],
        ],
        rowcount: 2,
      },
      __mcd_trace_id__: 'trace-1',
    });
    const [post] = presto.requests;
    expect(post?.headers).toMatchObject({
      'x-presto-user': 'foo',
      'x-presto-catalog': 'fizz',
      'x-presto-schema': 'buzz',
      'x-presto-source': 'artemis',
      authorization: `Basic ${Buffer.from('foo:bar').toString('base64')}`,
    });
    expect(post?.headers['x-trino-user']).toBeUndefined();
  });

  it('keeps a bigint past 2^53 exact', async () => {
    // Prepare
    presto.statements.set('SELECT count(*) FROM t', {
      columns: [{ name: '_col0', type: 'bigint' }],
      rows: [[18014398509481985n]],
    });

    // Act
    const answer = await execute(agent, 'presto', queryCommands('SELECT count(*) FROM t'), credentials());

    // Assess
    expect((answer.__mcd_result__ as { all_results: unknown }).all_results).toEqual([
      [{ __type__: 'decimal', __data__: '18014398509481985' }],
    ]);
  });

  it('retries a throttled coordinator (503), as presto-client does', async () => {
    // Prepare
    presto.statements.set('SELECT 1', { columns: [{ name: '_col0', type: 'integer' }], rows: [[1]] });
    presto.throttle.remaining = 2;

    // Act
    const answer = await execute(agent, 'presto', queryCommands('SELECT 1'), credentials());

    // Assess
    expect((answer.__mcd_result__ as { all_results: unknown }).all_results).toEqual([[1]]);
    expect(presto.requests.filter((request) => request.method === 'POST')).toHaveLength(3);
  });

  it("answers a failed statement with prestodb's error", async () => {
    // Act
    const answer = await execute(agent, 'presto', queryCommands('SELEC 1'), credentials());

    // Assess
    expect(answer).toMatchObject({
      __mcd_error__: expect.stringMatching(
        /^PrestoUserError\(type=USER_ERROR, name=SYNTAX_ERROR, message="line 1:1: mismatched input 'SELEC'/,
      ),
      __mcd_error_type__: 'DatabaseError',
      __mcd_error_attrs__: { error_code: 1, error_name: 'SYNTAX_ERROR', error_type: 'USER_ERROR' },
    });
  });

  it('holds pages back until they are read, and kills the rest of a result the operation left', async () => {
    // Prepare: 50 pages of 100 rows
    presto.statements.set('SELECT n FROM big', {
      columns: [{ name: 'n', type: 'integer' }],
      rows: Array.from({ length: 5000 }, (_, n) => [n]),
      pageSize: 100,
    });
    const commands = [
      { method: 'cursor', store: 'c' },
      { target: 'c', method: 'execute', args: ['SELECT n FROM big'] },
      { target: 'c', method: 'fetchmany', args: [2] },
    ];

    // Act
    const answer = await execute(agent, 'presto', commands, credentials());

    // Assess
    expect(answer.__mcd_result__).toEqual([[0], [1]]);
    expect(presto.requests.filter((request) => request.method === 'GET').length).toBeLessThan(6);
    expect(presto.cancelled).toHaveLength(1);
  });

  it('takes a host written as a URL, as Apollo’s presto tests send it', async () => {
    // Prepare
    presto.statements.set('SELECT 2', { columns: [{ name: '_col0', type: 'integer' }], rows: [[2]] });

    // Act
    const answer = await execute(agent, 'presto', queryCommands('SELECT 2'), {
      host: `http://127.0.0.1:${presto.port}`,
      user: 'foo',
    });

    // Assess
    expect((answer.__mcd_result__ as { all_results: unknown }).all_results).toEqual([[2]]);
  });

  it('refuses an auth object without a password', async () => {
    // Act
    const answer = await execute(agent, 'presto', queryCommands('SELECT 1'), {
      host: '127.0.0.1',
      port: presto.port,
      auth: { username: 'foo' },
    });

    // Assess
    expect(answer.__mcd_error__).toBe(
      "[transform_execute] (step: resolve_presto_auth) Missing required key in auth config: 'password'",
    );
    expect(presto.requests).toEqual([]);
  });
});
