import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { encodeDate } from '@artemis/core';
import { freePort } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { operation, startConnectorsAgent, type TestAgent } from '../support/connectors-agent';
import { type PgliteServer, startPgliteServer } from '../support/pglite-server';
import { type S3rverProcess, startS3rver } from '../support/s3rver-process';

/*
 * export_to_storage (issue 18) on the DB-API cursor: rows stream from PGlite's server-side cursor, through the real
 * postgres connector and the local server, into a fragment set of the agent's storage (FILESYSTEM; S3 on s3rver),
 * and read back through download_fragment they are the table's rows, with the manifest's checksums.
 */

const ROWS = Number(process.env.EXPORT_ROWS ?? 1_000_000);
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let pglite: PgliteServer;
let scratch: string;
let agent: TestAgent;

const credentials = () => ({
  connect_args: { host: '127.0.0.1', port: pglite.port, dbname: 'postgres', user: 'postgres', sslmode: 'disable' },
});

async function postgres(commands: unknown[], through = agent, path = '/api/v1/agent/execute/postgres/export') {
  const response = await through.post(path, operation(commands, {}, credentials()));
  return response;
}

async function result(commands: unknown[], through = agent) {
  const body = (await (await postgres(commands, through)).json()) as Record<string, unknown>;
  if (!('__mcd_result__' in body)) throw new Error(`Operation failed: ${JSON.stringify(body)}`);
  return body.__mcd_result__;
}

async function storageCall(method: string, kwargs: Record<string, unknown>, through = agent) {
  return through.post('/api/v1/agent/execute/storage/op', operation([{ method, kwargs }]));
}

/**
 * A fragment's bytes through download_fragment, on a connection of its own: the comparison between two downloads can
 * outlast the server's keep-alive, and a POST on a socket the server is closing is not retried by the client.
 */
function download(set: string, fragmentId: string): Promise<Buffer> {
  const body = JSON.stringify(operation([{ method: 'download_fragment', kwargs: { set, fragment_id: fragmentId } }]));
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${agent.url}/api/v1/agent/execute/storage/op`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', connection: 'close' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('end', () =>
          res.statusCode === 200 && res.headers['content-type'] === 'application/octet-stream'
            ? resolve(Buffer.concat(chunks))
            : reject(new Error(`download ${fragmentId}: ${res.statusCode} ${Buffer.concat(chunks).toString()}`)),
        );
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

const exportCommands = (kwargs: Record<string, unknown>) => [
  { method: 'cursor', store: 'c' },
  { target: 'c', method: 'export_to_storage', kwargs },
];

/** Reads a table in order with plain pg and a cursor, `count` rows at a time (the comparison's own source). */
async function* tableRows(query: string, batch: number) {
  const client = new pg.Client({ ...credentials().connect_args, database: 'postgres', ssl: false });
  client.on('error', () => undefined); // a failed test may leave it open when PGlite stops
  await client.connect();
  try {
    const cursor = client.query(new Cursor(query));
    for (;;) {
      const rows = await cursor.read(batch);
      if (rows.length === 0) break;
      yield rows as Record<string, unknown>[];
    }
    await cursor.close();
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  pglite = await startPgliteServer();
  scratch = await mkdtemp(join(tmpdir(), 'artemis-export-'));
  agent = await startConnectorsAgent({
    MCD_STORAGE: 'FILESYSTEM',
    MCD_STORAGE_PATH: join(scratch, 'storage'),
    MCD_TEMP_FOLDER: scratch,
    PORT: String(await freePort()),
    MCD_AGENT_ID: 'export-test',
  });
  await result([
    { method: 'cursor', store: 'c' },
    {
      target: 'c',
      method: 'execute',
      args: [
        `CREATE TABLE readings AS SELECT g AS id, md5(g::text) AS label, (g * 1.5)::numeric(12,1) AS amount,
           g % 3 = 0 AS flagged, timestamptz '2030-01-01 00:00:00+00' + g * interval '1 second' AS seen
         FROM generate_series(1, ${ROWS}) g`,
      ],
    },
  ]);
}, 300_000);

afterAll(async () => {
  await agent?.close();
  await pglite?.stop();
  await rm(scratch, { recursive: true, force: true });
});

describe('export_to_storage', () => {
  it(`exports ${ROWS} rows into 10 NDJSON fragments that match the table row for row and checksum for checksum`, async () => {
    // Act
    const manifest = (await result(
      exportCommands({
        query: 'SELECT * FROM readings ORDER BY id',
        set: 'exports/readings',
        rows_per_fragment: ROWS / 10,
        format: 'ndjson',
      }),
    )) as {
      fragments: { fragment_id: string; rows: number; sha256: string; size_in_bytes: number; key: string }[];
      custom: unknown;
      agent: unknown;
    };

    // Assess
    expect(manifest.fragments.map((fragment) => [fragment.fragment_id, fragment.rows])).toEqual(
      Array.from({ length: 10 }, (_, i) => [`part-${String(i).padStart(6, '0')}`, ROWS / 10]),
    );
    expect(manifest.custom).toEqual({
      export: {
        format: 'ndjson',
        compression: null,
        columns: ['id', 'label', 'amount', 'flagged', 'seen'],
        rows: ROWS,
        rows_per_fragment: ROWS / 10,
      },
    });
    const table = tableRows('SELECT * FROM readings ORDER BY id', ROWS / 10);
    try {
      for (const fragment of manifest.fragments) {
        const data = await download('exports/readings', fragment.fragment_id);
        const metadata = (await (await storageCall('get_metadata', { key: fragment.key })).json()) as {
          __mcd_result__: { sha256: string; content_type: string };
        };
        expect([sha256(data), data.length]).toEqual([fragment.sha256, fragment.size_in_bytes]);
        expect(metadata.__mcd_result__).toMatchObject({
          sha256: fragment.sha256,
          content_type: 'application/x-ndjson',
        });
        const { value: rows } = await table.next();
        // Each line is the row as the agent encodes values (SPEC §4), in column order.
        const expected = (rows as Record<string, unknown>[]).map(
          (row) =>
            `${JSON.stringify({
              id: row.id,
              label: row.label,
              amount: { __type__: 'decimal', __data__: row.amount },
              flagged: row.flagged,
              seen: encodeDate(row.seen as Date),
            })}\n`,
        );
        expect(data.toString('utf8')).toBe(expected.join(''));
      }
      expect((await table.next()).done).toBe(true);
    } finally {
      await table.return(undefined);
    }
  }, 600_000);

  it('runs as an async operation: the status carries the manifest once Completed', async () => {
    // Act
    const submitted = await postgres(
      exportCommands({
        query: 'SELECT id, label FROM readings WHERE id <= 2500 ORDER BY id',
        set: 'exports/async',
        rows_per_fragment: 1000,
      }),
      agent,
      '/async/api/v1/agent/execute/postgres/export',
    );
    const { __mcd_request_id__: requestId } = (await submitted.json()) as { __mcd_request_id__: string };
    let status: Record<string, unknown> = {};
    for (let attempt = 0; attempt < 3000; attempt++) {
      status = (await (await agent.get(`/async/api/v1/status/${requestId}`)).json()) as Record<string, unknown>;
      if (status.__mcd_status__ !== 'Pending' && status.__mcd_status__ !== 'Running') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    // Assess
    expect(submitted.status).toBe(202);
    expect(status).toMatchObject({
      __mcd_status__: 'Completed',
      __mcd_result__: {
        name: 'exports/async',
        agent: { agent_id: 'export-test' },
        fragments: [
          { fragment_id: 'part-000000', rows: 1000 },
          { fragment_id: 'part-000001', rows: 1000 },
          { fragment_id: 'part-000002', rows: 500 },
        ],
      },
    });
    const listed = (await (await storageCall('list_fragment_sets', { prefix: 'exports/' })).json()) as {
      __mcd_result__: { sets: { name: string }[] };
    };
    expect(listed.__mcd_result__.sets.map((set) => set.name)).toContain('exports/async');
  });

  it('refuses NDJSON for a result with two columns of one name, and bad arguments, with clear envelopes', async () => {
    // Act
    const answers = await Promise.all(
      [
        { query: 'SELECT id, id FROM readings LIMIT 1', set: 'exports/dup', rows_per_fragment: 10 },
        { query: 'SELECT 1', set: 'exports/bad', rows_per_fragment: 0 },
        { query: 'SELECT 1', set: 'exports/bad', rows_per_fragment: 10, format: 'xml' },
        { query: 'CREATE TEMP TABLE x (a int)', set: 'exports/none', rows_per_fragment: 10 },
      ].map(async (kwargs) => (await (await postgres(exportCommands(kwargs))).json()) as Record<string, unknown>),
    );

    // Assess
    expect(answers.map((body) => [body.__mcd_error_type__, body.__mcd_error__])).toEqual([
      [
        'DatabaseError',
        'export_to_storage: column "id" appears twice; NDJSON rows are objects keyed by column name, so alias one of them (or use format "csv")',
      ],
      ['DatabaseError', 'Invalid export_to_storage arguments: rows_per_fragment: too small'],
      ['DatabaseError', 'Invalid export_to_storage arguments: format: expected one of "ndjson", "csv"'],
      ['DatabaseError', 'export_to_storage: the query returns no rows to export'],
    ]);
  });
});

describe('export_to_storage as gzipped CSV to S3', () => {
  let s3: S3rverProcess;
  let s3Agent: TestAgent;

  beforeAll(async () => {
    s3 = await startS3rver(['exports']);
    s3Agent = await startConnectorsAgent({
      MCD_STORAGE: 'S3_COMPATIBLE',
      MCD_STORAGE_BUCKET_NAME: 'exports',
      MCD_STORAGE_ENDPOINT_URL: s3.endpoint,
      MCD_STORAGE_ACCESS_KEY: 'S3RVER',
      MCD_STORAGE_SECRET_KEY: 'S3RVER',
    });
  }, 60_000);

  afterAll(async () => {
    await s3Agent?.close();
    await s3?.close();
  });

  it('quotes what CSV must quote, keeps NULL apart from the empty string, and takes query parameters', async () => {
    // Prepare
    const query = `SELECT id, label, note FROM (VALUES (1, 'plain', NULL), (2, 'a, "quoted" one', ''),
      (3, E'two\\nlines', ' padded ')) AS t(id, label, note) WHERE id <= %(last)s ORDER BY id`;

    // Act
    const manifest = (await result(
      exportCommands({
        query,
        params: { last: 3 },
        set: 'csv/set',
        rows_per_fragment: 2,
        format: 'csv',
        compress: true,
      }),
      s3Agent,
    )) as { fragments: { fragment_id: string; rows: number }[] };
    const texts = await Promise.all(
      manifest.fragments.map(async (fragment) => {
        const response = await storageCall(
          'download_fragment',
          { set: 'csv/set', fragment_id: fragment.fragment_id },
          s3Agent,
        );
        return gunzipSync(Buffer.from(await response.arrayBuffer())).toString('utf8');
      }),
    );

    // Assess
    expect(manifest.fragments.map((fragment) => fragment.rows)).toEqual([2, 1]);
    expect(texts).toEqual([
      'id,label,note\n1,plain,\n2,"a, ""quoted"" one",""\n',
      'id,label,note\n3,"two\nlines"," padded "\n',
    ]);
  });
});
