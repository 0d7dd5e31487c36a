import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { ForbiddenError, readConfinedFile } from '@artemis/core';
import { ProgrammingError } from '../db-api/db-api-errors';
import { parseLibpqConnectionString } from './libpq-connection-string';
import {
  type PostgresConnectArgs,
  type PostgresCredentials,
  postgresConnectArgsSchema,
  SSL_MODES,
  type SslMode,
} from './postgres-credentials';

/** What differs between PostgreSQL and Redshift when `connect_args` leaves it unsaid. */
export interface PostgresDefaults {
  readonly port: number;
  /** libpq's default is `prefer`; Redshift clusters are reached with `require`. */
  readonly sslmode: SslMode;
  readonly applicationName: string;
}

export const POSTGRES_DEFAULTS: PostgresDefaults = { port: 5432, sslmode: 'prefer', applicationName: 'artemis' };
export const REDSHIFT_DEFAULTS: PostgresDefaults = { port: 5439, sslmode: 'require', applicationName: 'artemis' };

export interface ResolvedPostgresConnection {
  /** The server's name: what TLS verifies (`host`, else `hostaddr`). */
  readonly host: string;
  /** What the socket connects to once the SSRF guard has checked it (`hostaddr`, else `host`), as libpq does. */
  readonly address: string;
  readonly port: number;
  readonly database: string | undefined;
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly sslmode: SslMode;
  /** TLS options for the modes that encrypt (`prefer` tries them first); undefined for `disable`. */
  readonly tls: ConnectionOptions | undefined;
  readonly connectTimeoutMs: number;
  /** Set with `SET statement_timeout` after connecting; undefined when `options` already sets it. */
  readonly statementTimeoutMs: number | undefined;
  readonly options: string | undefined;
  readonly applicationName: string;
}

export interface ResolveContext {
  readonly operationTimeoutSeconds: number;
  /** sslrootcert files are read from here only (SPEC §3.1: connectors read local files under MCD_TEMP_FOLDER). */
  readonly tempFolder: string;
}

/**
 * Apollo's `connect_args` (libpq keywords, or a libpq connection string) → what `pg` needs, with the connector's
 * defaults applied. Pure apart from reading an `sslrootcert` file (core's confined read: under MCD_TEMP_FOLDER, no
 * link leading out), so the defaults are unit-testable.
 *
 * `host`/`hostaddr` follow libpq: the socket goes to `hostaddr` when given (checked by the SSRF guard like any
 * destination), and `host` names the server for TLS. Lists of hosts and Unix sockets are refused by the guard.
 *
 * sslmode follows libpq: `disable` → plain; `allow`/`prefer` → TLS without verification, falling back to plain if
 * the server has no TLS; `require` → TLS without verification (verified against `sslrootcert` when one is given,
 * as libpq does); `verify-ca` → chain verified, host name not; `verify-full` → both.
 */
export async function resolvePostgresConnection(
  credentials: PostgresCredentials,
  defaults: PostgresDefaults,
  context: ResolveContext,
): Promise<ResolvedPostgresConnection> {
  const args = connectArgsOf(credentials.connect_args);
  const sslmode = args.sslmode ?? defaults.sslmode;
  const ca = args.sslrootcert
    ? await readConfinedFile(args.sslrootcert, {
        roots: [context.tempFolder],
        subject: 'sslrootcert',
        setting: 'MCD_TEMP_FOLDER',
      })
    : undefined;
  const host = args.host ?? args.hostaddr ?? 'localhost';
  // libpq dials `hostaddr` (a numeric address) and keeps `host` for TLS; the guard checks what is dialled.
  if (args.hostaddr !== undefined && isIP(args.hostaddr) === 0) {
    throw new ForbiddenError(`Destination refused: hostaddr ${args.hostaddr} is not one numeric IP address`);
  }
  const setsTimeoutInOptions = /statement_timeout/.test(args.options ?? '');
  return {
    host,
    address: args.hostaddr ?? host,
    port: args.port === undefined ? defaults.port : Number(args.port),
    database: args.dbname ?? args.database,
    user: args.user,
    password: args.password,
    sslmode,
    tls: tlsOptionsFor(sslmode, host, ca),
    // libpq waits forever by default; client creation runs outside the operation's timer, so bound it by the same.
    connectTimeoutMs:
      (args.connect_timeout === undefined ? context.operationTimeoutSeconds : Number(args.connect_timeout)) * 1000,
    statementTimeoutMs: setsTimeoutInOptions
      ? undefined
      : args.statement_timeout === undefined
        ? context.operationTimeoutSeconds * 1000
        : Number(args.statement_timeout),
    options: args.options,
    applicationName: args.application_name ?? defaults.applicationName,
  };
}

function connectArgsOf(connectArgs: PostgresCredentials['connect_args']): PostgresConnectArgs {
  if (typeof connectArgs !== 'string') return connectArgs;
  const parsed = postgresConnectArgsSchema.safeParse(parseLibpqConnectionString(connectArgs));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const key = issue?.path.map(String).join('.') ?? '';
  throw new ProgrammingError(
    key === 'sslmode'
      ? `connection string: sslmode must be one of ${SSL_MODES.join(', ')}`
      : `connection string: invalid value for ${key || 'a key'}`,
  );
}

function tlsOptionsFor(sslmode: SslMode, host: string, ca: string | undefined): ConnectionOptions | undefined {
  switch (sslmode) {
    case 'disable':
      return undefined;
    case 'allow':
    case 'prefer':
      return { rejectUnauthorized: false };
    case 'require':
      return ca
        ? { ca, rejectUnauthorized: true, checkServerIdentity: () => undefined }
        : { rejectUnauthorized: false };
    case 'verify-ca':
      return { ...(ca ? { ca } : {}), rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { ...(ca ? { ca } : {}), rejectUnauthorized: true, servername: host };
  }
}
