import { mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ForbiddenError } from '@artemis/core';
import { describe, expect, it } from '@jest/globals';
import { parseLibpqConnectionString } from '../../src/postgres/libpq-connection-string';
import {
  POSTGRES_DEFAULTS,
  REDSHIFT_DEFAULTS,
  resolvePostgresConnection,
} from '../../src/postgres/postgres-connection-config';

const context = { operationTimeoutSeconds: 870, tempFolder: tmpdir() };

describe('resolvePostgresConnection', () => {
  it('applies the Redshift defaults: port 5439 and TLS required', async () => {
    // Act
    const resolved = await resolvePostgresConnection(
      { connect_args: { host: 'cluster.example.com', dbname: 'dev', user: 'u', password: 'p' } },
      REDSHIFT_DEFAULTS,
      context,
    );

    // Assess
    expect(resolved).toMatchObject({
      host: 'cluster.example.com',
      port: 5439,
      database: 'dev',
      sslmode: 'require',
      tls: { rejectUnauthorized: false },
      connectTimeoutMs: 870_000,
      statementTimeoutMs: 870_000,
    });
  });

  it('applies the PostgreSQL defaults: port 5432 and libpq prefer', async () => {
    // Act
    const resolved = await resolvePostgresConnection({ connect_args: { host: 'db' } }, POSTGRES_DEFAULTS, context);

    // Assess
    expect(resolved).toMatchObject({ port: 5432, sslmode: 'prefer', tls: { rejectUnauthorized: false } });
  });

  it('lets connect_args override the Redshift defaults', async () => {
    // Act
    const resolved = await resolvePostgresConnection(
      { connect_args: { host: 'h', port: '6000', sslmode: 'disable', connect_timeout: 7, statement_timeout: '250' } },
      REDSHIFT_DEFAULTS,
      context,
    );

    // Assess
    expect(resolved).toMatchObject({
      port: 6000,
      sslmode: 'disable',
      tls: undefined,
      connectTimeoutMs: 7000,
      statementTimeoutMs: 250,
    });
  });

  it('leaves the statement timeout to options when they set it', async () => {
    // Act
    const resolved = await resolvePostgresConnection(
      { connect_args: { host: 'h', options: '-c statement_timeout=5000' } },
      POSTGRES_DEFAULTS,
      context,
    );

    // Assess
    expect(resolved).toMatchObject({ options: '-c statement_timeout=5000', statementTimeoutMs: undefined });
  });

  it('verifies the certificate chain and host name with verify-full and an sslrootcert under MCD_TEMP_FOLDER', async () => {
    // Prepare
    const folder = await mkdtemp(join(tmpdir(), 'artemis-ca-'));
    await writeFile(join(folder, 'ca.pem'), 'PEM DATA');

    // Act
    const resolved = await resolvePostgresConnection(
      { connect_args: { host: 'db.example.com', sslmode: 'verify-full', sslrootcert: 'ca.pem' } },
      POSTGRES_DEFAULTS,
      { ...context, tempFolder: folder },
    );

    // Assess
    expect(resolved.tls).toEqual({ ca: 'PEM DATA', rejectUnauthorized: true, servername: 'db.example.com' });
  });

  it.each([
    [{ host: 'db.example.com' }, { host: 'db.example.com', address: 'db.example.com' }],
    [{ hostaddr: '10.0.0.5' }, { host: '10.0.0.5', address: '10.0.0.5' }],
    [
      { host: 'db.example.com', hostaddr: '10.0.0.5' },
      { host: 'db.example.com', address: '10.0.0.5' },
    ],
    [{}, { host: 'localhost', address: 'localhost' }],
  ])(
    'dials hostaddr when given and keeps host as the name TLS verifies, as libpq does (%j)',
    async (args, expected) => {
      // Act
      const resolved = await resolvePostgresConnection({ connect_args: args }, POSTGRES_DEFAULTS, context);

      // Assess
      expect(resolved).toMatchObject(expected);
    },
  );

  it.each([
    ['db.example.com', 'Destination refused: hostaddr db.example.com is not one numeric IP address'],
    ['10.0.0.5,127.0.0.1', 'Destination refused: hostaddr 10.0.0.5,127.0.0.1 is not one numeric IP address'],
  ])('refuses a hostaddr that is not one numeric address (%s)', async (hostaddr, message) => {
    // Act
    const act = () =>
      resolvePostgresConnection({ connect_args: { host: 'db.example.com', hostaddr } }, POSTGRES_DEFAULTS, context);

    // Assess
    await expect(act()).rejects.toThrow(new ForbiddenError(message));
  });

  it('refuses an sslrootcert outside MCD_TEMP_FOLDER', async () => {
    // Act
    const act = () =>
      resolvePostgresConnection({ connect_args: { host: 'h', sslrootcert: '/etc/passwd' } }, POSTGRES_DEFAULTS, {
        ...context,
        tempFolder: '/tmp/artemis-none',
      });

    // Assess
    await expect(act()).rejects.toThrow('sslrootcert must be a file under MCD_TEMP_FOLDER: /etc/passwd');
  });

  it('refuses an sslrootcert reached through a link in MCD_TEMP_FOLDER that leads out of it', async () => {
    // Prepare
    const folder = await mkdtemp(join(tmpdir(), 'artemis-ca-link-'));
    await symlink('/etc', join(folder, 'certs'));

    // Act
    const resolving = resolvePostgresConnection(
      { connect_args: { host: 'h', sslmode: 'verify-ca', sslrootcert: 'certs/hostname' } },
      POSTGRES_DEFAULTS,
      { ...context, tempFolder: folder },
    );

    // Assess
    await expect(resolving).rejects.toMatchObject({
      name: 'ConfinedFileError',
      errorType: 'Forbidden',
      message: 'sslrootcert must be a file under MCD_TEMP_FOLDER: certs/hostname',
    });
  });

  it('reads a keyword/value connection string', async () => {
    // Act
    const resolved = await resolvePostgresConnection(
      { connect_args: "host=db port=6543 dbname='my db' user=reader password='it\\'s' sslmode=verify-ca" },
      REDSHIFT_DEFAULTS,
      context,
    );

    // Assess
    expect(resolved).toMatchObject({
      host: 'db',
      port: 6543,
      database: 'my db',
      user: 'reader',
      password: "it's",
      sslmode: 'verify-ca',
      tls: { rejectUnauthorized: true },
    });
  });
});

describe('parseLibpqConnectionString', () => {
  it('reads a URI with percent-encoded credentials and query parameters', () => {
    // Act
    const keys = parseLibpqConnectionString('postgresql://us%40er:p%2Fw@db.internal:5433/warehouse?sslmode=require');

    // Assess
    expect(keys).toEqual({
      host: 'db.internal',
      port: '5433',
      user: 'us@er',
      password: 'p/w',
      dbname: 'warehouse',
      sslmode: 'require',
    });
  });

  it('refuses a malformed keyword/value string', () => {
    // Act
    const act = () => parseLibpqConnectionString('host db');

    // Assess
    expect(act).toThrow('connection string: expected key=value at offset 0');
  });
});
