import { mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnixSocketForbiddenError } from '@artemis/core';
import { describe, expect, it } from '@jest/globals';
import { resolveMysqlConnection } from '../../src/mysql/mysql-connection-config';

const context = { operationTimeoutSeconds: 870, tempFolder: tmpdir() };

describe('resolveMysqlConnection', () => {
  it('maps PyMySQL keywords onto mysql2 options, without TLS unless asked', async () => {
    // Act
    const resolved = await resolveMysqlConnection(
      { connect_args: { host: 'db', port: '3307', user: 'u', password: 'p', db: 'shop', connect_timeout: 5 } },
      context,
    );

    // Assess
    expect(resolved).toEqual({
      options: { host: 'db', port: 3307, user: 'u', password: 'p', database: 'shop', connectTimeout: 5000 },
      statementTimeoutMs: 870_000,
    });
  });

  it('verifies the server certificate against ssl_ca read under MCD_TEMP_FOLDER, and its name when asked', async () => {
    // Prepare
    const folder = await mkdtemp(join(tmpdir(), 'artemis-mysql-ca-'));
    await writeFile(join(folder, 'ca.pem'), 'PEM DATA');

    // Act
    const resolved = await resolveMysqlConnection(
      { connect_args: { host: 'db', ssl_ca: 'ca.pem', ssl_verify_identity: true, statement_timeout: 1500 } },
      { ...context, tempFolder: folder },
    );

    // Assess
    expect(resolved.options.ssl).toEqual({ ca: 'PEM DATA', rejectUnauthorized: true, verifyIdentity: true });
    expect(resolved.statementTimeoutMs).toBe(1500);
  });

  it('refuses an ssl_ca reached through a link in MCD_TEMP_FOLDER that leads out of it', async () => {
    // Prepare
    const folder = await mkdtemp(join(tmpdir(), 'artemis-mysql-ca-link-'));
    await symlink('/etc/hostname', join(folder, 'ca.pem'));

    // Act
    const resolving = resolveMysqlConnection(
      { connect_args: { host: 'db', ssl_ca: 'ca.pem' } },
      { ...context, tempFolder: folder },
    );

    // Assess
    await expect(resolving).rejects.toMatchObject({
      name: 'ConfinedFileError',
      errorType: 'Forbidden',
      message: 'ssl_ca must be a file under MCD_TEMP_FOLDER: ca.pem',
    });
  });

  it('encrypts without verification for an empty ssl dict, and not at all with ssl_disabled', async () => {
    // Act
    const encrypted = await resolveMysqlConnection({ connect_args: { host: 'db', ssl: {} } }, context);
    const disabled = await resolveMysqlConnection(
      { connect_args: { host: 'db', ssl: {}, ssl_disabled: true } },
      context,
    );

    // Assess
    expect(encrypted.options.ssl).toEqual({ rejectUnauthorized: false });
    expect(disabled.options.ssl).toBeUndefined();
  });

  it.each([
    [{ unix_socket: '/run/mysqld/mysqld.sock' }, '/run/mysqld/mysqld.sock'],
    [{ socketPath: '/tmp/mysql.sock' }, '/tmp/mysql.sock'],
  ])('refuses a Unix socket (%j) instead of silently connecting to host', async (args, path) => {
    // Act / Assess
    await expect(resolveMysqlConnection({ connect_args: { host: 'db', ...args } }, context)).rejects.toThrow(
      new UnixSocketForbiddenError(path),
    );
  });
});
