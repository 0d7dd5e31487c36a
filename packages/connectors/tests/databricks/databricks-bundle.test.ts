import { join } from 'node:path';
import {
  buildForTest,
  type FakeHiveServer2,
  freePort,
  type StartedProcess,
  selfSignedCertificate,
  startFakeHiveServer2,
  startProcess,
} from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

/*
 * The databricks connector as the images run it: the generic bundle (esbuild, ESM, no node_modules beside it) with
 * @databricks/sql, thrift and Arrow inside it, its native addons left out, against the HiveServer2 fake.
 */
describe('databricks in the generic bundle', () => {
  const tls = selfSignedCertificate();
  let bundle: Awaited<ReturnType<typeof buildForTest>>;
  let fake: FakeHiveServer2;
  let agent: StartedProcess;
  let url: string;
  beforeAll(async () => {
    fake = await startFakeHiveServer2(tls);
    bundle = await buildForTest('generic');
    const port = await freePort();
    agent = await startProcess(process.execPath, [join(bundle.dir, 'generic/index.mjs')], {
      env: { PATH: process.env.PATH, PORT: String(port), MCD_HTTP_ALLOW_LOOPBACK: 'true', MCD_LOG_LEVEL: 'info' },
      ready: /listening on (http:\/\/[\d.:]+)/,
    });
    url = `http://127.0.0.1:${port}`;
  }, 180_000);
  afterAll(async () => {
    await agent?.stop();
    await bundle?.remove();
    await fake?.close();
  });

  it('loads the driver and reads inline and cloud-fetch Arrow results exactly', async () => {
    // Prepare
    fake.statements.set('SELECT amount', {
      columns: [{ name: 'amount', type: 'DECIMAL', precision: 38, scale: 2 }],
      rows: [['-123456789012345678901234567890.12']],
    });
    fake.statements.set('SELECT n', {
      columns: [{ name: 'n', type: 'BIGINT' }],
      rows: Array.from({ length: 30 }, (_, n) => [BigInt(n)]),
      format: 'cloud',
      pageSize: 10,
    });
    const run = async (sql: string) => {
      const response = await fetch(`${url}/api/v1/agent/execute/databricks/bundle`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          credentials: {
            server_hostname: '127.0.0.1',
            _port: fake.port,
            http_path: '/sql/1.0/warehouses/abc123',
            access_token: 'dapi',
            ssl_options: { ca_data: tls.cert },
          },
          operation: {
            trace_id: 'bundle',
            commands: [
              { method: 'cursor', store: 'c' },
              { target: 'c', method: 'execute', args: [sql] },
              { target: 'c', method: 'fetchall' },
            ],
          },
        }),
      });
      return (await response.json()) as Record<string, unknown>;
    };

    // Act
    const inline = await run('SELECT amount');
    const cloud = await run('SELECT n');

    // Assess
    expect(inline).toEqual({
      __mcd_result__: [[{ __type__: 'decimal', __data__: '-123456789012345678901234567890.12' }]],
      __mcd_trace_id__: 'bundle',
    });
    expect(cloud.__mcd_result__).toEqual(Array.from({ length: 30 }, (_, n) => [n]));
    expect(fake.downloads).toHaveLength(3);
  });
});
