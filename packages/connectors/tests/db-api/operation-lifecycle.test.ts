import { leaseClient, startTestAgent, type TestAgent } from '@artemis/core/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { nativeConnectors } from '../../src/native-catalog';
import { startCancelRequestRecorder } from '../support/cancel-request-recorder';
import { type MariadbServer, mariadbSkipReason, startMariadb } from '../support/mariadb-server';
import { nestedLogContextConnectors } from '../support/nested-log-context-connector';
import { type PgliteServer, startPgliteServer } from '../support/pglite-server';
import { queryCommands, sqlOperation } from '../support/sql-operations';

/*
 * The core ends every operation with the client's `endOperation`, naming the operation it handed out; the DB-API
 * session keys what each operation runs and leaves open by that operation. A connector whose calls run inside log
 * contexts of their own (nested-log-context-connector.ts) must not change which operation a statement belongs to.
 */
const connectors = { ...nativeConnectors, ...nestedLogContextConnectors(nativeConnectors, ['postgres', 'mysql']) };

/** A result set left open on the server: the first row of a long series (`query`), never fetched to the end. */
function leaveResultOpen(query: string): unknown[] {
  return [
    { method: 'cursor', store: 'c' },
    { target: 'c', method: 'execute', args: [query] },
    { target: 'c', method: 'fetchone' },
  ];
}

/** Polls `probe` until it holds (a bounded wait for an event on another connection, not a timing assertion). */
async function eventually(probe: () => Promise<boolean> | boolean): Promise<boolean> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await probe()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

describe('postgres (PGlite) with log contexts nested inside the operation', () => {
  let pglite: PgliteServer;
  beforeAll(async () => {
    pglite = await startPgliteServer();
  }, 60_000);
  afterAll(() => pglite?.stop());

  it("closes the operation's open cursor when it succeeds, so the next operation on the cached connection runs", async () => {
    // Prepare: a cached client; a generous operation timeout only bounds the failure (a statement stuck behind the
    // orphaned cursor).
    const agent = await startTestAgent(
      { MCD_LOG_LEVEL: 'silent', MCD_NETWORK_ALLOW_LOOPBACK: 'true', MCD_OPERATION_TIMEOUT_SECONDS: '15' },
      { connectors },
    );
    const creds = { connect_args: { host: '127.0.0.1', port: pglite.port, dbname: 'postgres', user: 'postgres' } };
    const path = '/api/v1/agent/execute/nested_postgres/lifecycle';
    const first = await agent.post(path, sqlOperation(creds, leaveResultOpen('SELECT generate_series(1, 100000)')));

    // Act
    const second = await (await agent.post(path, sqlOperation(creds, queryCommands('SELECT 7')))).json();
    await agent.close();

    // Assess
    await expect(first.json()).resolves.toEqual({ __mcd_result__: [1], __mcd_trace_id__: 'trace-sql' });
    expect(second).toMatchObject({ __mcd_result__: { all_results: [[7]], rowcount: 1 } });
  }, 60_000);

  it("cancels the timed-out operation's statement while another request still holds the shared client", async () => {
    // Prepare: a relay records the CancelRequest (PGlite accepts and ignores it). A lease held as a concurrent
    // request would hold it keeps the shared client open after the timeout (closing it would cancel anyway).
    const recorder = await startCancelRequestRecorder(pglite.port);
    const agent = await startTestAgent(
      { MCD_LOG_LEVEL: 'silent', MCD_NETWORK_ALLOW_LOOPBACK: 'true', MCD_OPERATION_TIMEOUT_SECONDS: '1' },
      { connectors },
    );
    // The connection's and the server's own timeouts are not under test: both default to the operation timeout.
    const creds = {
      connect_args: {
        host: '127.0.0.1',
        port: recorder.port,
        dbname: 'postgres',
        user: 'postgres',
        connect_timeout: 60,
        statement_timeout: 0,
      },
    };
    const concurrent = await leaseClient(agent.agent, 'nested_postgres', creds);

    // Act
    const answer = await agent.post(
      '/api/v1/agent/execute/nested_postgres/lifecycle',
      sqlOperation(creds, queryCommands('SELECT pg_sleep(4)')),
    );
    const timedOut = await answer.json();
    const cancelled = await eventually(() => recorder.cancelRequests.length > 0);
    await concurrent.release('success');
    await agent.close();
    await recorder.close();

    // Assess
    expect(timedOut).toMatchObject({ __mcd_error_type__: 'Timeout' });
    expect(cancelled).toBe(true);
  }, 60_000);
});

const skipReason = mariadbSkipReason();
const describeWithMariadb = skipReason ? describe.skip : describe;

describeWithMariadb('mysql (MariaDB) with log contexts nested inside the operation', () => {
  let mariadb: MariadbServer;
  let agent: TestAgent;
  const path = '/api/v1/agent/execute/nested_mysql/lifecycle';
  const creds = () => ({
    connect_args: { host: '127.0.0.1', port: mariadb.port, user: 'root', db: 'mysql', statement_timeout: 0 },
  });

  beforeAll(async () => {
    mariadb = await startMariadb();
    agent = await startTestAgent(
      { MCD_LOG_LEVEL: 'silent', MCD_NETWORK_ALLOW_LOOPBACK: 'true', MCD_OPERATION_TIMEOUT_SECONDS: '4' },
      { connectors },
    );
  }, 60_000);
  afterAll(async () => {
    await agent?.close();
    await mariadb?.stop();
  });

  it("closes the operation's open result when it succeeds, so the next operation on the cached connection runs", async () => {
    // Prepare: MariaDB's SEQUENCE engine gives a long result without a table.
    const first = await (
      await agent.post(path, sqlOperation(creds(), leaveResultOpen('SELECT seq FROM seq_1_to_100000')))
    ).json();

    // Act
    const second = await (await agent.post(path, sqlOperation(creds(), queryCommands('SELECT 7')))).json();

    // Assess
    expect(first).toMatchObject({ __mcd_result__: [{ __type__: 'decimal', __data__: '1' }] });
    expect(second).toMatchObject({ __mcd_result__: { all_results: [[7]], rowcount: 1 } });
  });

  it("kills the timed-out operation's statement while another request still holds the shared client", async () => {
    // Prepare: the shared client stays open after the timeout (a lease held as a concurrent request would).
    const concurrent = await leaseClient(agent.agent, 'nested_mysql', creds());
    const sleepers = async () => {
      const answer = await agent.post(
        '/api/v1/agent/execute/mysql/processlist',
        sqlOperation(
          creds(),
          queryCommands(
            "SELECT id FROM information_schema.processlist WHERE info LIKE '%artemis_lifecycle%' AND info NOT LIKE '%processlist%'",
          ),
          { skip_cache: true },
        ),
      );
      return ((await answer.json()) as { __mcd_result__: { all_results: unknown[] } }).__mcd_result__.all_results;
    };

    // Act
    const timedOut = await (
      await agent.post(path, sqlOperation(creds(), queryCommands('SELECT SLEEP(30) AS artemis_lifecycle')))
    ).json();
    const killed = await eventually(async () => (await sleepers()).length === 0);
    await concurrent.release('success');

    // Assess
    expect(timedOut).toMatchObject({ __mcd_error_type__: 'Timeout' });
    expect(killed).toBe(true);
  }, 60_000);
});
