import * as z from 'zod/mini';

/**
 * A service-account key as Google issues it (all optional: none means Application Default Credentials), plus
 * Apollo's `socket_timeout_in_seconds` and Artemis's `root_url` (the API's base URL: a private endpoint, tests).
 */
export const bigqueryConnectArgsSchema = z.looseObject({
  type: z.optional(z.nullable(z.string())),
  project_id: z.optional(z.nullable(z.string())),
  private_key_id: z.optional(z.nullable(z.string())),
  private_key: z.optional(z.nullable(z.string())),
  client_email: z.optional(z.nullable(z.string())),
  client_id: z.optional(z.nullable(z.string())),
  token_uri: z.optional(z.nullable(z.string())),
  socket_timeout_in_seconds: z.optional(z.nullable(z.union([z.number(), z.string()]))),
  root_url: z.optional(z.nullable(z.string())),
});

/** Flat (Apollo's legacy form: the key itself) or under `connect_args`. */
export const bigqueryCredentialsSchema = z.looseObject({
  connect_args: z.optional(z.nullable(bigqueryConnectArgsSchema)),
});

export type BigqueryConnectArgs = z.output<typeof bigqueryConnectArgsSchema>;
