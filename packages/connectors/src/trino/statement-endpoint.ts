import { type ConnectorContext, guardedAgents, readConfinedFile } from '@artemis/core';
import * as z from 'zod/mini';
import { numberLike } from '../db-api/number-like';

/**
 * The `connect_args` of the Trino-protocol connectors (starburst-galaxy, starburst-enterprise, presto), as trino's
 * and prestodb's `dbapi.connect()` take them after the credential pipeline: `verify` is the CA file it wrote
 * (under MCD_TEMP_FOLDER), `false` to skip verification, absent for the default roots.
 */
export const statementConnectArgsSchema = z.looseObject({
  host: z.string().check(z.minLength(1, 'must not be empty')),
  port: z.optional(z.nullable(numberLike)),
  user: z.optional(z.nullable(z.string())),
  password: z.optional(z.nullable(z.string())),
  /** prestodb's BasicAuthentication, as the presto pipeline shapes `auth`. */
  auth: z.optional(z.nullable(z.looseObject({ username: z.string(), password: z.string() }))),
  http_scheme: z.optional(z.nullable(z.enum(['http', 'https']))),
  catalog: z.optional(z.nullable(z.string())),
  schema: z.optional(z.nullable(z.string())),
  source: z.optional(z.nullable(z.string())),
  session_properties: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  extra_credential: z.optional(z.nullable(z.unknown())),
  http_headers: z.optional(z.nullable(z.record(z.string(), z.string()))),
  request_timeout: z.optional(z.nullable(z.number())),
  verify: z.optional(z.nullable(z.union([z.boolean(), z.string()]))),
});

export const statementCredentialsSchema = z.looseObject({ connect_args: statementConnectArgsSchema });

export type StatementConnectArgs = z.output<typeof statementConnectArgsSchema>;

/** Where statements go, resolved once per client. */
export interface StatementEndpoint {
  readonly server: string;
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port: number;
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly catalog: string | undefined;
  readonly schema: string | undefined;
  readonly source: string;
  readonly session: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly requestTimeoutMs: number;
  /** The CA to trust (PEM) and whether certificates are verified at all. */
  readonly tls: { readonly ca: string | undefined; readonly rejectUnauthorized: boolean };
  /** Sockets only to addresses the SSRF guard checked, for every URL the server hands out (nextUri). */
  readonly agents: ReturnType<typeof guardedAgents>;
}

export interface EndpointDefaults {
  readonly port: number;
  readonly scheme: 'http' | 'https';
}

/** trino-python's default per-request timeout. */
const DEFAULT_REQUEST_TIMEOUT_SECONDS = 30;

export async function resolveStatementEndpoint(
  args: StatementConnectArgs,
  defaults: EndpointDefaults,
  context: ConnectorContext,
): Promise<StatementEndpoint> {
  // prestodb accepts a host written as a URL ("https://example.com"), as Apollo's own tests send it.
  const asUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(args.host) ? new URL(args.host) : undefined;
  const scheme = args.http_scheme ?? (asUrl?.protocol === 'https:' ? 'https' : asUrl ? 'http' : defaults.scheme);
  const host = asUrl?.hostname ?? args.host;
  const port = Number(asUrl?.port || (args.port ?? defaults.port));
  const ca =
    typeof args.verify === 'string'
      ? await readConfinedFile(args.verify, {
          roots: [context.config.tempFolder],
          subject: 'verify',
          setting: 'MCD_TEMP_FOLDER',
        })
      : undefined;
  const tls = { ca, rejectUnauthorized: args.verify !== false };
  const bracketed = host.includes(':') ? `[${host}]` : host;
  return {
    server: `${scheme}://${bracketed}:${port}`,
    scheme,
    host,
    port,
    user: args.auth?.username ?? args.user ?? undefined,
    password: args.auth?.password ?? args.password ?? undefined,
    catalog: args.catalog ?? undefined,
    schema: args.schema ?? undefined,
    source: args.source ?? 'artemis',
    session: Object.fromEntries(
      Object.entries(args.session_properties ?? {}).map(([key, value]) => [key, String(value)]),
    ),
    headers: args.http_headers ?? {},
    requestTimeoutMs: (args.request_timeout ?? DEFAULT_REQUEST_TIMEOUT_SECONDS) * 1000,
    tls,
    agents: guardedAgents(context.network, { ...tls, keepAlive: true }),
  };
}
