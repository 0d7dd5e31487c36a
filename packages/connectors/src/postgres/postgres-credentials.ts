import * as z from 'zod/mini';
import { numberLike } from '../db-api/number-like';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/**
 * `connect_args` as Apollo sends them to psycopg2 (libpq keywords), or a libpq connection string. Unknown keys are
 * accepted and ignored, so a control plane that sends more than we use still connects.
 */
export const postgresConnectArgsSchema = z.looseObject({
  host: z.optional(z.string()),
  hostaddr: z.optional(z.string()),
  port: z.optional(numberLike),
  dbname: z.optional(z.string()),
  database: z.optional(z.string()),
  user: z.optional(z.string()),
  password: z.optional(z.string()),
  sslmode: z.optional(z.enum(SSL_MODES)),
  sslrootcert: z.optional(z.string()),
  connect_timeout: z.optional(numberLike),
  /** Milliseconds; an Artemis convenience (libpq takes it as options='-c statement_timeout=…', also accepted). */
  statement_timeout: z.optional(numberLike),
  options: z.optional(z.string()),
  application_name: z.optional(z.string()),
});

export type PostgresConnectArgs = z.output<typeof postgresConnectArgsSchema>;

export const postgresCredentialsSchema = z.looseObject({
  connect_args: z.union([z.string().check(z.minLength(1, 'must not be empty')), postgresConnectArgsSchema]),
});

export type PostgresCredentials = z.output<typeof postgresCredentialsSchema>;
