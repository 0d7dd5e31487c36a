import { type Credentials, validate } from '@artemis/core';
import * as z from 'zod/mini';
import { sslOptionsSchema } from '../shared/ssl-options';

const httpConnectArgs = z.looseObject({
  token: z.optional(z.nullable(z.string())),
  /** Prefix of the token in the header; `""` or null sends the bare token. Default `Bearer`. */
  auth_type: z.optional(z.nullable(z.string())),
  /** Header name; default `Authorization`. */
  auth_header: z.optional(z.nullable(z.string())),
  ssl_options: z.optional(z.nullable(sslOptionsSchema)),
});

/**
 * The http connection's credentials: `{"connect_args": {token, auth_type, auth_header, ssl_options}}`. Older control
 * planes sent the same keys at the top level (Apollo read `token` there); both are accepted, `connect_args` wins.
 */
export const credentialsSchema = z.looseObject({
  connect_args: z.optional(z.nullable(httpConnectArgs)),
  token: z.optional(z.nullable(z.string())),
  auth_type: z.optional(z.nullable(z.string())),
  auth_header: z.optional(z.nullable(z.string())),
  ssl_options: z.optional(z.nullable(sslOptionsSchema)),
});

export type HttpConnectArgs = z.output<typeof httpConnectArgs>;

export function parseHttpCredentials(credentials: Credentials | null | undefined): HttpConnectArgs {
  const parsed = validate(credentialsSchema, credentials ?? {}, 'http credentials');
  const { connect_args: connectArgs, ...topLevel } = parsed;
  return { ...topLevel, ...(connectArgs ?? {}) };
}

/** The header that carries the token, as Apollo built it: `<auth_header>: <auth_type> <token>`. */
export function authorizationHeader(args: HttpConnectArgs): [string, string] | undefined {
  if (args.token == null) return undefined;
  const name = args.auth_header || 'Authorization';
  const type = args.auth_type === undefined ? 'Bearer' : args.auth_type;
  return [name, type ? `${type} ${args.token}` : args.token];
}
