import * as z from 'zod/mini';
import { numberLike } from '../db-api/number-like';

/** PyMySQL's `connect()` keywords, as Apollo sends them in `connect_args`. Unknown keys are ignored. */
export const mysqlConnectArgsSchema = z.looseObject({
  host: z.optional(z.string()),
  port: z.optional(numberLike),
  user: z.optional(z.string()),
  password: z.optional(z.string()),
  database: z.optional(z.string()),
  db: z.optional(z.string()),
  charset: z.optional(z.string()),
  connect_timeout: z.optional(numberLike),
  /** Milliseconds; an Artemis convenience (max_execution_time on MySQL, max_statement_time on MariaDB). */
  statement_timeout: z.optional(numberLike),
  ssl_disabled: z.optional(z.boolean()),
  /** CA bundle path under MCD_TEMP_FOLDER (PyMySQL's ssl_ca); enables TLS with certificate verification. */
  ssl_ca: z.optional(z.string()),
  ssl_verify_identity: z.optional(z.boolean()),
  /** PyMySQL's `ssl` dict; `{}` or any value asks for TLS. `ca` here is a path as well. */
  ssl: z.optional(z.looseObject({ ca: z.optional(z.string()), check_hostname: z.optional(z.boolean()) })),
  /** PyMySQL's and mysql2's names for a Unix socket: named here only to be refused (TCP only, SPEC §3.1). */
  unix_socket: z.optional(z.unknown()),
  socketPath: z.optional(z.unknown()),
});

export const mysqlCredentialsSchema = z.looseObject({ connect_args: mysqlConnectArgsSchema });

export type MysqlCredentials = z.output<typeof mysqlCredentialsSchema>;
