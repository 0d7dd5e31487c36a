import { readConfinedFile, UnixSocketForbiddenError } from '@artemis/core';
import type { ConnectionOptions as MysqlConnectionOptions } from 'mysql2';
import type { MysqlCredentials } from './mysql-credentials';

export interface ResolvedMysqlConnection {
  readonly options: MysqlConnectionOptions;
  readonly statementTimeoutMs: number;
}

/**
 * PyMySQL keywords → mysql2 options. As in PyMySQL, TLS is off unless asked for (`ssl`, `ssl_ca`); with a CA the
 * certificate is verified, and the host name too when `ssl_verify_identity` / `ssl.check_hostname` say so (mysql2's
 * `verifyIdentity`: it ignores a `checkServerIdentity` in `ssl`). The host name stays the one given, so TLS verifies
 * it even though the socket goes to the address the SSRF guard checked.
 */
export async function resolveMysqlConnection(
  credentials: MysqlCredentials,
  context: { operationTimeoutSeconds: number; tempFolder: string },
): Promise<ResolvedMysqlConnection> {
  const args = credentials.connect_args;
  // PyMySQL's unix_socket (mysql2's socketPath) would reach a local server the SSRF guard cannot check: refused
  // rather than ignored, so the caller is not silently connected to `host` instead.
  const socketPath = args.unix_socket ?? args.socketPath;
  if (socketPath !== undefined) throw new UnixSocketForbiddenError(String(socketPath));
  const caPath = args.ssl_ca ?? args.ssl?.ca;
  // Core's confined read: under MCD_TEMP_FOLDER, no link leading out of it.
  const ca = caPath
    ? await readConfinedFile(caPath, { roots: [context.tempFolder], subject: 'ssl_ca', setting: 'MCD_TEMP_FOLDER' })
    : undefined;
  const wantsTls = !args.ssl_disabled && (ca !== undefined || args.ssl !== undefined);
  const verifyHost = args.ssl_verify_identity ?? args.ssl?.check_hostname ?? false;
  return {
    options: {
      host: args.host ?? 'localhost',
      port: args.port === undefined ? 3306 : Number(args.port),
      user: args.user,
      password: args.password,
      database: args.database ?? args.db,
      ...(args.charset ? { charset: args.charset } : {}),
      ...(args.connect_timeout === undefined ? {} : { connectTimeout: Number(args.connect_timeout) * 1000 }),
      ...(wantsTls
        ? {
            ssl: ca ? { ca, rejectUnauthorized: true, verifyIdentity: verifyHost } : { rejectUnauthorized: false },
          }
        : {}),
    },
    statementTimeoutMs:
      args.statement_timeout === undefined ? context.operationTimeoutSeconds * 1000 : Number(args.statement_timeout),
  };
}
