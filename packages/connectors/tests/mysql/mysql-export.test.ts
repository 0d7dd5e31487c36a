import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { operation, startConnectorsAgent, type TestAgent } from '../support/connectors-agent';
import { type MariadbServer, mariadbSkipReason, startMariadb } from '../support/mariadb-server';

/*
 * export_to_storage on the mysql connector (issue 18), against a real MariaDB when installed: the NDJSON lines of an
 * export are the rows `fetchall` answers for the same query, value for value (dates, bytes, JSON, exact decimals).
 */

const skipReason = mariadbSkipReason();
if (skipReason) console.warn(`mysql export suite SKIPPED: ${skipReason}. Install the Debian package mariadb-server.`);
const describeWithMariadb = skipReason ? describe.skip : describe;

describeWithMariadb('mysql export_to_storage against MariaDB', () => {
  let mariadb: MariadbServer;
  let scratch: string;
  let agent: TestAgent;
  const credentials = () => ({
    connect_args: { host: '127.0.0.1', port: mariadb.port, user: 'root', password: '', db: 'exports' },
  });
  async function result(connectionType: string, commands: unknown[], credentials?: unknown) {
    const response = await agent.post(
      `/api/v1/agent/execute/${connectionType}/export`,
      operation(commands, {}, credentials),
    );
    const body = (await response.json()) as Record<string, unknown>;
    if (!('__mcd_result__' in body)) throw new Error(`Operation failed: ${JSON.stringify(body)}`);
    return body.__mcd_result__;
  }

  beforeAll(async () => {
    mariadb = await startMariadb();
    scratch = await mkdtemp(join(tmpdir(), 'artemis-mysql-export-'));
    agent = await startConnectorsAgent({ MCD_STORAGE: 'FILESYSTEM', MCD_STORAGE_PATH: scratch });
    const setup = [
      'CREATE DATABASE exports',
      `CREATE TABLE exports.items (id BIGINT PRIMARY KEY, amount DECIMAL(12,2), label VARCHAR(20),
         seen DATETIME(3), day DATE, payload VARBINARY(8), doc JSON, ratio DOUBLE)`,
      `INSERT INTO exports.items VALUES
         (9007199254740993, 1234567890.50, 'first', '2024-01-02 03:04:05.678', '2024-01-02', X'0102FF',
          '{"a": [1, 2]}', 0.5),
         (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
         (3, -0.01, 'third', '2030-12-31 23:59:59', '2030-12-31', X'', '[]', -1.25)`,
    ];
    await result(
      'mysql',
      [{ method: 'cursor', store: 'c' }, ...setup.map((sql) => ({ target: 'c', method: 'execute', args: [sql] }))],
      { connect_args: { host: '127.0.0.1', port: mariadb.port, user: 'root' } },
    );
  }, 60_000);

  afterAll(async () => {
    await agent?.close();
    await mariadb?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('writes each row as fetchall answers it, two rows to a fragment', async () => {
    // Prepare
    const query = 'SELECT * FROM items ORDER BY id';
    const fetched = (await result(
      'mysql',
      [
        { method: 'cursor', store: 'c' },
        { target: 'c', method: 'execute', args: [query] },
        { target: 'c', method: 'fetchall', store: 'rows' },
        { target: 'c', method: 'description', store: 'columns' },
        {
          target: '__utils',
          method: 'build_dict',
          kwargs: { rows: { __reference__: 'rows' }, columns: { __reference__: 'columns' } },
        },
      ],
      credentials(),
    )) as { rows: unknown[][]; columns: [string][] };

    // Act
    const manifest = (await result(
      'mysql',
      [
        { method: 'cursor', store: 'c' },
        {
          target: 'c',
          method: 'export_to_storage',
          kwargs: { query, set: 'mysql/items', rows_per_fragment: 2, format: 'ndjson' },
        },
      ],
      credentials(),
    )) as { fragments: { fragment_id: string; rows: number }[] };
    const lines: unknown[] = [];
    for (const fragment of manifest.fragments) {
      const response = await agent.post(
        '/api/v1/agent/execute/storage/op',
        operation([{ method: 'download_fragment', kwargs: { set: 'mysql/items', fragment_id: fragment.fragment_id } }]),
      );
      const text = Buffer.from(await response.arrayBuffer()).toString('utf8');
      lines.push(
        ...text
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line)),
      );
    }

    // Assess
    expect(manifest.fragments.map((fragment) => fragment.rows)).toEqual([2, 1]);
    const names = fetched.columns.map((column) => column[0]);
    expect(lines).toEqual(fetched.rows.map((row) => Object.fromEntries(names.map((name, i) => [name, row[i]]))));
  });
});
