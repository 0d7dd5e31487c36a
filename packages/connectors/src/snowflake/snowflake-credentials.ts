import * as z from 'zod/mini';
import { numberLike } from '../db-api/number-like';

/**
 * `snowflake.connector.connect()` keywords as Apollo sends them in `connect_args` (after the credential pipeline):
 * password, key-pair (`private_key`: PKCS#8 DER bytes, or PEM text) or OAuth (`token` with
 * `authenticator="oauth"`). `host`, `port` and `protocol` are the Python connector's too (a private link, a proxy
 * endpoint; tests). Unknown keys are ignored.
 */
export const snowflakeConnectArgsSchema = z.looseObject({
  user: z.optional(z.nullable(z.string())),
  account: z.string().check(z.minLength(1, 'must not be empty')),
  password: z.optional(z.nullable(z.string())),
  private_key: z.optional(
    z.nullable(
      z.union([
        z.string(),
        z.instanceof(Uint8Array),
        // Bytes as the wire encodes them, when a control plane pre-shapes the DER key itself.
        z.object({ __type__: z.literal('bytes'), __data__: z.string() }),
      ]),
    ),
  ),
  private_key_passphrase: z.optional(z.nullable(z.string())),
  token: z.optional(z.nullable(z.string())),
  authenticator: z.optional(z.nullable(z.string())),
  warehouse: z.optional(z.nullable(z.string())),
  database: z.optional(z.nullable(z.string())),
  schema: z.optional(z.nullable(z.string())),
  role: z.optional(z.nullable(z.string())),
  login_timeout: z.optional(z.nullable(numberLike)),
  application: z.optional(z.nullable(z.string())),
  session_parameters: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  host: z.optional(z.nullable(z.string())),
  port: z.optional(z.nullable(numberLike)),
  protocol: z.optional(z.nullable(z.enum(['http', 'https']))),
});

export const snowflakeCredentialsSchema = z.looseObject({ connect_args: snowflakeConnectArgsSchema });

export type SnowflakeConnectArgs = z.output<typeof snowflakeConnectArgsSchema>;
