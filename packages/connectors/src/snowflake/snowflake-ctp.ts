import type { CredentialPipeline } from '@artemis/core';
import * as z from 'zod/mini';

const text = z.string().check(z.minLength(1, 'must not be empty'));

/**
 * Apollo's snowflake default: password, key-pair (`private_key_pem`, with `private_key_passphrase` when encrypted,
 * loaded into unencrypted PKCS#8 DER by `load_private_key`) or OAuth (`oauth: {…}`: a token fetched through the SSRF
 * guard, `authenticator: "oauth"`); `application` defaults to "Monte Carlo", Snowflake's partner tag.
 */
export const credentialPipeline: CredentialPipeline = {
  config: {
    name: 'snowflake-default',
    steps: [
      {
        type: 'load_private_key',
        when: 'raw.private_key_pem is defined',
        input: { pem: '{{ raw.private_key_pem }}', password: '{{ raw.private_key_passphrase | default(none) }}' },
        output: { private_key: 'private_key_der' },
        field_map: { private_key: '{{ derived.private_key_der }}' },
      },
      {
        type: 'oauth',
        when: 'raw.oauth is defined',
        input: { oauth: '{{ raw.oauth }}' },
        output: { token: 'oauth_token' },
        field_map: { token: '{{ derived.oauth_token }}', authenticator: 'oauth' },
      },
    ],
    mapper: {
      name: 'snowflake_client_args',
      field_map: {
        user: '{{ raw.user }}',
        account: '{{ raw.account }}',
        warehouse: '{{ raw.warehouse | default(none) }}',
        database: '{{ raw.database | default(none) }}',
        schema: '{{ raw.schema | default(none) }}',
        role: '{{ raw.role | default(none) }}',
        login_timeout: '{{ raw.login_timeout | default(none) }}',
        application: '{{ raw.application | default(none) }}',
        session_parameters: '{{ raw.session_parameters | default(none) }}',
        password: '{{ raw.password | default(none) }}',
        private_key: '{{ raw.private_key | default(none) }}',
        token: '{{ raw.token | default(none) }}',
        authenticator: '{{ raw.authenticator | default(none) }}',
        host: '{{ raw.host | default(none) }}',
        port: '{{ raw.port | default(none) }}',
        protocol: '{{ raw.protocol | default(none) }}',
      },
    },
    connect_args_defaults: { application: 'Monte Carlo' },
  },
  connectArgs: {
    required: ['user', 'account'],
    types: { user: 'str', account: 'str', password: 'str', login_timeout: 'int', port: 'int' },
  },
  rawCredentialsSchema: z.looseObject({ user: text, account: text }),
};
