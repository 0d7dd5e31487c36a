import type { CredentialPipeline } from '@artemis/core';
import * as z from 'zod/mini';
import { numberLike } from '../db-api/number-like';

const text = z.string().check(z.minLength(1, 'must not be empty'));

/** trino.dbapi.connect keywords the connector reads, passed through when credentials carry them. */
export const TRINO_PASSTHROUGH = {
  source: '{{ raw.source | default(none) }}',
  session_properties: '{{ raw.session_properties | default(none) }}',
  http_headers: '{{ raw.http_headers | default(none) }}',
  request_timeout: '{{ raw.request_timeout | default(none) }}',
  extra_credential: '{{ raw.extra_credential | default(none) }}',
} as const;

/**
 * `ssl_options` as Apollo's Starburst defaults read them: a CA PEM (`ca_data`) is written to a temp file and becomes
 * `verify` (the CA the client trusts), `disabled` turns verification off; a `verify` the credentials already carry
 * (a path written by the control plane's own pipeline, or false) is kept.
 */
export const STARBURST_SSL_STEP = {
  type: 'resolve_ssl_options',
  when: 'raw.ssl_options is mapping',
  input: { ssl_options: '{{ raw.ssl_options }}' },
  output: { ssl_options: 'ssl_options', ca_path: 'ssl_ca_path' },
  field_map: {
    verify:
      '{{ derived.ssl_ca_path if derived.ssl_ca_path is defined else (false if derived.ssl_options.disabled else raw.verify | default(none)) }}',
  },
} as const;

/** Apollo's starburst-galaxy and starburst-enterprise defaults (the same mapper): always HTTPS, port 443. */
function starburstPipeline(name: string): CredentialPipeline {
  return {
    config: {
      name,
      steps: [STARBURST_SSL_STEP],
      mapper: {
        name: 'starburst_client_args',
        field_map: {
          host: '{{ raw.host }}',
          port: '{{ raw.port | default(443) }}',
          user: '{{ raw.user | default(none) }}',
          password: '{{ raw.password | default(none) }}',
          http_scheme: "{{ raw.http_scheme | default('https') }}",
          catalog: '{{ raw.catalog | default(none) }}',
          schema: '{{ raw.schema | default(none) }}',
          verify: '{{ raw.verify | default(none) }}',
          ...TRINO_PASSTHROUGH,
        },
      },
    },
    connectArgs: {
      required: ['host', 'user', 'password'],
      types: { host: 'str', port: 'int', user: 'str', password: 'str', catalog: 'str', schema: 'str' },
    },
    rawCredentialsSchema: z.looseObject({
      host: text,
      port: z.optional(numberLike),
      user: text,
      password: text,
      catalog: z.optional(z.string()),
      schema: z.optional(z.string()),
      ssl_options: z.optional(z.looseObject({})),
    }),
  };
}

export const starburstGalaxyPipeline = starburstPipeline('starburst-galaxy-default');
export const starburstEnterprisePipeline = starburstPipeline('starburst-enterprise-default');
