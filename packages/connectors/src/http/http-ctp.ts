import type { CredentialPipeline } from '@artemis/core';
import { credentialsSchema } from './http-credentials';

/**
 * The http default pipeline (Apollo's `ctp/defaults/http.py`, plus two auth steps): `token`, `auth_header`,
 * `auth_type` and `ssl_options` pass through (a null `auth_type` still means "the bare token"). Without a token,
 * `oauth` (client credentials, password or refresh-token grant) fetches one through the SSRF guard and sends it as a
 * Bearer token, and `username` + `password` become a Basic token.
 */
export const credentialPipeline: CredentialPipeline = {
  config: {
    name: 'http-default',
    steps: [
      {
        type: 'oauth',
        when: 'raw.token is not defined and raw.oauth is mapping',
        input: { oauth: '{{ raw.oauth }}' },
        output: { token: 'oauth_token' },
        field_map: { token: '{{ derived.oauth_token }}', auth_type: "{{ raw.auth_type | default('Bearer') }}" },
      },
      {
        type: 'encode_basic_auth',
        when: 'raw.token is not defined and raw.oauth is not defined and raw.username is defined and raw.password is defined',
        input: { username: '{{ raw.username }}', password: '{{ raw.password }}' },
        output: { token: 'basic_token' },
        field_map: { token: '{{ derived.basic_token }}', auth_type: 'Basic' },
      },
    ],
    mapper: {
      name: 'http_client_args',
      field_map: {
        token: '{{ raw.token | default(none) }}',
        auth_header: '{{ raw.auth_header | default(none) }}',
        auth_type: "{{ ('' if raw.auth_type is none else raw.auth_type) if raw.auth_type is defined else none }}",
        ssl_options: '{{ raw.ssl_options | default(none) }}',
      },
    },
  },
  rawCredentialsSchema: credentialsSchema,
};
