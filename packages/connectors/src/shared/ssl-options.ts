import * as z from 'zod/mini';

/**
 * Apollo's `ssl_options` as the control plane sends them: `ca_data` (PEM text of the CA that signs the server's
 * certificate) and `disabled` (skip verification). Other keys are accepted and ignored, as Apollo's dataclass did.
 */
export const sslOptionsSchema = z.looseObject({
  ca_data: z.optional(z.nullable(z.string())),
  disabled: z.optional(z.nullable(z.boolean())),
});

export type SslOptions = z.output<typeof sslOptionsSchema>;

/** What Node's TLS options need: the extra CA and whether to verify at all. */
export function toTlsOptions(ssl: SslOptions | null | undefined): { ca?: string; rejectUnauthorized: boolean } {
  if (ssl?.disabled) return { rejectUnauthorized: false };
  return ssl?.ca_data ? { ca: ssl.ca_data, rejectUnauthorized: true } : { rejectUnauthorized: true };
}
