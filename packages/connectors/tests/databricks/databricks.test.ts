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
});
