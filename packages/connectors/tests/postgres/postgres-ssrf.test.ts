import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, guardedTcpTarget, NetworkGuard } from '@artemis/core';
import { fakeHostLookup, itInPrivateNetwork, selfSignedCertificate } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { POSTGRES_DEFAULTS, resolvePostgresConnection } from '../../src/postgres/postgres-connection-config';
import { connectPostgres } from '../../src/postgres/postgres-driver';
import { startCancelRequestRecorder } from '../support/cancel-request-recorder';
import { execute, startConnectorsAgent } from '../support/connectors-agent';
import { forbiddenEnvelope, localhostRefusal, refusalFixture } from '../support/guard-refusals';
import { type PgliteServer, startPgliteServer } from '../support/pglite-server';
import { SELECT_ONE } from '../support/sql-operations';
import { startTlsPostgresFront } from '../support/tls-postgres-front';

// postgres and redshift share one connector; every refusal is checked for both. The "database" of the refusals is a
// listener that counts connections: a refused destination must see none.
const PASSWORD = 'pg-s3cret-Pa55';

const fixture = refusalFixture();

describe.each(['postgres', 'redshift'])('%s: the SSRF guard with loopback refused', (type) => {
  const attempt = (connectArgs: unknown) => execute(fixture.strict, type, SELECT_ONE, { connect_args: connectArgs });
  const args = (extra: Record<string, unknown>) => ({
    port: fixture.listener.port,
    user: 'postgres',
    password: PASSWORD,
    sslmode: 'disable',
    ...extra,
  });

  it.each([
    [{ host: '127.0.0.1' }, 'Destination refused: blocked address 127.0.0.1'],
    [{ host: '::1' }, 'Destination refused: blocked address ::1'],
    [{ host: '::ffff:127.0.0.1' }, 'Destination refused: blocked address ::ffff:127.0.0.1 (embeds 127.0.0.1)'],
    [{ host: '0.0.0.0' }, 'Destination refused: blocked address 0.0.0.0'],
    [{ hostaddr: '127.0.0.1' }, 'Destination refused: blocked address 127.0.0.1'],
    // libpq dials hostaddr and keeps host for TLS: the address dialled is the one checked.
    [{ host: 'db.internal', hostaddr: '127.0.0.1' }, 'Destination refused: blocked address 127.0.0.1'],
    [{ host: 'db1.internal,127.0.0.1' }, 'Destination refused: more than one host in db1.internal,127.0.0.1'],
  ])('refuses %j with a Forbidden envelope, and nothing reaches the server', async (extra, message) => {
    // Prepare
    const before = fixture.listener.connections;

    // Act
    const answer = await attempt(args(extra));

    // Assess
    expect(answer).toEqual(forbiddenEnvelope(message, 'trace-1'));
    expect(JSON.stringify(answer)).not.toContain(PASSWORD);
    expect(fixture.listener.connections).toBe(before);
  });

  it('refuses a host name that resolves to loopback (localhost, from the hosts file)', async () => {
    // Prepare
    const before = fixture.listener.connections;

    // Act
    const answer = await attempt(args({ host: 'localhost' }));

    // Assess
    expect(answer).toEqual(forbiddenEnvelope(await localhostRefusal(), 'trace-1'));
    expect(fixture.listener.connections).toBe(before);
  });

  it.each([
    [{ host: '/tmp/x' }, '/tmp/x'],
    [{ host: '@abstract-socket' }, '@abstract-socket'],
    ['host=/tmp/x dbname=postgres user=postgres', '/tmp/x'],
    ['postgresql://postgres@%2Ftmp%2Fx/postgres', '/tmp/x'],
  ])('refuses the Unix socket of %j', async (connectArgs, path) => {
    // Act
    const answer = await attempt(typeof connectArgs === 'string' ? connectArgs : args(connectArgs));

    // Assess
    expect(answer).toEqual(
      forbiddenEnvelope(
        `Destination refused: Unix socket ${path} (only TCP connections are allowed)`,
        'trace-1',
        'UnixSocketForbiddenError',
      ),
    );
  });

  it('keeps the password out of the envelope and the logs when a connection string is refused', async () => {
    // Act
    const answer = await attempt(`postgresql://postgres:${PASSWORD}@127.0.0.1:${fixture.listener.port}/postgres`);

    // Assess
    expect(answer).toEqual(forbiddenEnvelope('Destination refused: blocked address 127.0.0.1', 'trace-1'));
    expect(JSON.stringify(answer)).not.toContain(PASSWORD);
    expect(JSON.stringify(fixture.strict.logs)).not.toContain(PASSWORD);
  });

  itInPrivateNetwork.each([
    [{ host: '169.254.169.254' }, 'Destination refused: blocked address 169.254.169.254'],
    [{ host: 'metadata.google.internal' }, 'Destination refused: host metadata.google.internal'],
    [{ host: 'fd00:ec2::254' }, 'Destination refused: blocked address fd00:ec2::254'],
    [{ host: 'db.internal', hostaddr: '169.254.169.254' }, 'Destination refused: blocked address 169.254.169.254'],
  ])('refuses the cloud metadata destination %j', async (extra, message) => {
    // Act
    const answer = await attempt(args(extra));

    // Assess
    expect(answer).toEqual(forbiddenEnvelope(message, 'trace-1'));
  });
});

describe('postgres with loopback allowed still goes through the guard', () => {
  let pglite: PgliteServer;
  beforeAll(async () => {
    pglite = await startPgliteServer();
  }, 60_000);
  afterAll(() => pglite.stop());

  const connectArgs = () => ({ host: '127.0.0.1', port: pglite.port, dbname: 'postgres', user: 'postgres' });

  it('connects to PGlite on 127.0.0.1, and refuses it once MCD_NETWORK_BLOCKED_CIDRS covers 127.0.0.0/8', async () => {
    // Prepare
    const open = await startConnectorsAgent({ MCD_NETWORK_ALLOW_LOOPBACK: 'true' });
    const blocked = await startConnectorsAgent({
      MCD_NETWORK_ALLOW_LOOPBACK: 'true',
      MCD_NETWORK_BLOCKED_CIDRS: '127.0.0.0/8',
    });

    // Act
    const reached = await execute(open, 'postgres', SELECT_ONE, { connect_args: connectArgs() });
    const refused = await execute(blocked, 'redshift', SELECT_ONE, {
      connect_args: { ...connectArgs(), sslmode: 'disable' },
    });
    await open.close();
    await blocked.close();

    // Assess
    expect(reached).toEqual({ __mcd_result__: [[1]], __mcd_trace_id__: 'trace-1' });
    expect(refused).toEqual(forbiddenEnvelope('Destination refused: blocked address 127.0.0.1', 'trace-1'));
  });

  it('sends the cancel request to the address the session was checked at, with no second lookup', async () => {
    // Prepare: `db.test` exists only for this guard's resolver, which counts its calls; a relay records the
    // CancelRequest that PGlite accepts but ignores.
    const recorder = await startCancelRequestRecorder(pglite.port);
    const lookup = fakeHostLookup({ 'db.test': ['127.0.0.1'] });
    const guard = new NetworkGuard({ allowLoopback: true, blockedCidrs: [], lookup });
    const resolved = await resolvePostgresConnection(
      {
        connect_args: {
          host: 'db.test',
          port: recorder.port,
          dbname: 'postgres',
          user: 'postgres',
          sslmode: 'disable',
        },
      },
      POSTGRES_DEFAULTS,
      { operationTimeoutSeconds: 30, tempFolder: '/nonexistent' },
    );
    const target = await guardedTcpTarget(guard, resolved.address, resolved.port);
    const driver = await connectPostgres(resolved, target, createLogger('silent'));

    // Act
    await driver.cancel();
    for (let i = 0; i < 50 && recorder.cancelRequests.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await driver.close();
    await recorder.close();

    // Assess
    expect(recorder.cancelRequests).toHaveLength(1);
    expect(lookup.calls).toBe(1);
  });
});

describe('postgres TLS over the checked address', () => {
  it('verifies the certificate against host while dialling the checked hostaddr', async () => {
    // Prepare: a certificate for localhost and 127.0.0.1, trusted through sslrootcert under MCD_TEMP_FOLDER; both
    // connections dial 127.0.0.1, which the certificate names, so only a check against host can tell them apart.
    const certificate = selfSignedCertificate();
    const folder = await mkdtemp(join(tmpdir(), 'artemis-pg-tls-'));
    await writeFile(join(folder, 'ca.pem'), certificate.cert);
    const front = await startTlsPostgresFront(certificate);
    const agent = await startConnectorsAgent({ MCD_NETWORK_ALLOW_LOOPBACK: 'true', MCD_TEMP_FOLDER: folder });
    const connect = (host: string) =>
      execute(agent, 'postgres', SELECT_ONE, {
        connect_args: {
          host,
          hostaddr: '127.0.0.1',
          port: front.port,
          user: 'postgres',
          sslmode: 'verify-full',
          sslrootcert: 'ca.pem',
        },
      });

    // Act
    const named = await connect('localhost');
    const misnamed = await connect('db.wrong.test');
    await agent.close();
    await front.close();
    await rm(folder, { recursive: true, force: true });

    // Assess: the first got past TLS (the front then hangs up), with SNI localhost; the second was refused by name.
    expect(front.handshakes).toEqual(['localhost']);
    expect(named.__mcd_error__).toBe('Connection terminated unexpectedly');
    expect(misnamed).toMatchObject({
      __mcd_error__: expect.stringContaining("Hostname/IP does not match certificate's altnames: Host: db.wrong.test."),
    });
  });
});
