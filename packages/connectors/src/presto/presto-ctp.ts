import type { CredentialPipeline } from '@artemis/core';
import * as z from 'zod/mini';
import { numberLike } from '../db-api/number-like';
import { TRINO_PASSTHROUGH } from '../trino/starburst-ctp';

/**
 * Apollo's presto default: `auth` ({username, password}) checked by `resolve_presto_auth`, port 8889 and http by
 * default. Its `ssl_options` as Apollo's PrestoProxyClient read them: `skip_verification` turns verification off;
 * `cert` with a `mechanism` (`url`, or a key of the agent's storage) is downloaded, through the SSRF guard, and
 * trusted as the CA (`verify`).
 */
export const credentialPipeline: CredentialPipeline = {
  config: {
    name: 'presto-default',
    steps: [
      {
        type: 'resolve_presto_auth',
        when: 'raw.auth is defined and raw.auth is not none',
        input: { auth: '{{ raw.auth }}' },
        output: { auth: 'presto_auth' },
        field_map: { auth: '{{ derived.presto_auth }}' },
      },
      {
        type: 'fetch_remote_file',
        when: 'raw.ssl_options is mapping and raw.ssl_options.cert is defined and raw.ssl_options.mechanism is defined and not raw.ssl_options.skip_verification | default(false)',
        input: {
          url: '{{ raw.ssl_options.cert }}',
          sub_folder: 'presto/certs',
          mechanism: '{{ raw.ssl_options.mechanism }}',
        },
        output: { path: 'presto_cert_path' },
        field_map: { verify: '{{ derived.presto_cert_path }}' },
      },
    ],
    mapper: {
      name: 'presto_connect_args',
      field_map: {
        host: '{{ raw.host }}',
        port: '{{ raw.port | default(8889) }}',
        user: '{{ raw.user | default(raw.username) | default(none) }}',
        catalog: '{{ raw.catalog | default(none) }}',
        schema: '{{ raw.schema | default(none) }}',
        http_scheme: "{{ raw.http_scheme | default('http') }}",
        max_attempts: 3,
        verify:
          '{{ false if (raw.ssl_options is mapping and raw.ssl_options.skip_verification | default(false)) else raw.verify | default(none) }}',
        ...TRINO_PASSTHROUGH,
      },
    },
  },
  connectArgs: { required: ['host'], types: { host: 'str', port: 'int', user: 'str', catalog: 'str', schema: 'str' } },
  rawCredentialsSchema: z.looseObject({
    host: z.string().check(z.minLength(1, 'must not be empty')),
    port: z.optional(numberLike),
    user: z.optional(z.string()),
    auth: z.optional(z.looseObject({ username: z.string(), password: z.string() })),
  }),
};
