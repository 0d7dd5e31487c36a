import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, startConnectorsAgent, type TestAgent } from '../support/connectors-agent';
import { type LocalHttpServer, sendJson, startHttpServer } from '../support/local-http-server';
import { type MariadbServer, mariadbSkipReason, startMariadb } from '../support/mariadb-server';
import { type PgliteServer, startPgliteServer } from '../support/pglite-server';
import { type S3rverProcess, startS3rver } from '../support/s3rver-process';
import { queryCommands } from '../support/sql-operations';

/**
 * SPEC §9.1: each native connector's default pipeline takes the control plane's flat credentials (Apollo's
 * spellings) and the pre-shaped `{"connect_args": {…}}` form to the same real server, with the same answer.
 */
describe('default credential pipelines: flat and pre-shaped credentials reach the same server', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startConnectorsAgent();
  });
  afterAll(() => agent.close());

  describe('postgres and redshift against PGlite', () => {
    let pglite: PgliteServer;
    beforeAll(async () => {
      pglite = await startPgliteServer();
    }, 60_000);
    afterAll(() => pglite.stop());

    it.each([
      ['postgres', { database: 'postgres' }, { dbname: 'postgres' }],
      ['redshift', { db_name: 'postgres', ssl_mode: 'disable' }, { dbname: 'postgres', sslmode: 'disable' }],
    ])('%s', async (type, flatExtra, shapedExtra) => {
      // Prepare
      const query = queryCommands("SELECT 41 + 1 AS answer, current_database() AS db, 'ok' AS status");
      const flat = { host: '127.0.0.1', port: String(pglite.port), user: 'postgres', password: 'pw', ...flatExtra };
      const shaped = {
        connect_args: { host: '127.0.0.1', port: pglite.port, user: 'postgres', password: 'pw', ...shapedExtra },
      };

      // Act
      const fromFlat = await execute(agent, type, query, flat);
      const fromShaped = await execute(agent, type, query, shaped);

      // Assess
      expect(fromFlat.__mcd_result__).toMatchObject({ all_results: [[42, 'postgres', 'ok']], rowcount: 1 });
      expect(fromShaped.__mcd_result__).toEqual(fromFlat.__mcd_result__);
    });
  });

  const describeWithMariadb = mariadbSkipReason() ? describe.skip : describe;
  describeWithMariadb('mysql against MariaDB', () => {
    let mariadb: MariadbServer;
    beforeAll(async () => {
      mariadb = await startMariadb();
    }, 120_000);
    afterAll(() => mariadb.stop());

    it('mysql', async () => {
      // Prepare
      const query = queryCommands('SELECT 41 + 1 AS answer, DATABASE() AS db');
      const flat = { host: '127.0.0.1', port: String(mariadb.port), user: 'root', password: '', db_name: 'mysql' };
      const shaped = {
        connect_args: { host: '127.0.0.1', port: mariadb.port, user: 'root', password: '', db: 'mysql' },
      };

      // Act
      const fromFlat = await execute(agent, 'mysql', query, flat);
      const fromShaped = await execute(agent, 'mysql', query, shaped);

      // Assess
      expect(fromFlat.__mcd_result__).toMatchObject({ all_results: [[42, 'mysql']], rowcount: 1 });
      expect(fromShaped.__mcd_result__).toEqual(fromFlat.__mcd_result__);
    });
  });

  describe('s3 against s3rver', () => {
    let s3rver: S3rverProcess;
    beforeAll(async () => {
      s3rver = await startS3rver(['flat-bucket']);
    });
    afterAll(() => s3rver.close());

    it('s3', async () => {
      // Prepare
      const flat = {
        endpoint_url: s3rver.endpoint,
        aws_access_key_id: 'S3RVER',
        aws_secret_access_key: 'S3RVER',
        aws_region: 'us-east-1',
      };
      await execute(
        agent,
        's3',
        [{ method: 'put_object', kwargs: { Bucket: 'flat-bucket', Key: 'k.txt', Body: 'v' } }],
        flat,
      );
      const list = [{ method: 'list_objects_v2', kwargs: { Bucket: 'flat-bucket' } }];

      // Act
      const fromFlat = (await execute(agent, 's3', list, flat)).__mcd_result__ as Record<string, unknown>;
      const fromShaped = (await execute(agent, 's3', list, { connect_args: flat })).__mcd_result__ as Record<
        string,
        unknown
      >;

      // Assess
      expect(fromFlat.Contents).toEqual([expect.objectContaining({ Key: 'k.txt', Size: 1 })]);
      expect(fromShaped.Contents).toEqual(fromFlat.Contents);
    });
  });

  describe('http against a local server', () => {
    let server: LocalHttpServer;
    beforeAll(async () => {
      server = await startHttpServer((request, response) =>
        sendJson(response, 200, { auth: request.headers.authorization }),
      );
    });
    afterAll(() => server.close());

    it('http', async () => {
      // Prepare
      const get = [{ method: 'do_request', kwargs: { url: `${server.url}/rows`, http_method: 'GET' } }];

      // Act
      const fromFlat = await execute(agent, 'http', get, { token: 'tok-1', auth_type: 'Token' });
      const fromShaped = await execute(agent, 'http', get, { connect_args: { token: 'tok-1', auth_type: 'Token' } });
      const basic = await execute(agent, 'http', get, { username: 'ada', password: 'pw' });

      // Assess
      expect(fromFlat.__mcd_result__).toEqual({ auth: 'Token tok-1' });
      expect(fromShaped.__mcd_result__).toEqual(fromFlat.__mcd_result__);
      expect(basic.__mcd_result__).toEqual({ auth: `Basic ${Buffer.from('ada:pw').toString('base64')}` });
    });
  });
});
