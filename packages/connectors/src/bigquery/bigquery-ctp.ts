import type { CredentialPipeline } from '@artemis/core';

const KEY_FIELDS = [
  'type',
  'project_id',
  'private_key_id',
  'private_key',
  'client_email',
  'client_id',
  'auth_uri',
  'token_uri',
  'auth_provider_x509_cert_url',
  'client_x509_cert_url',
  'universe_domain',
  'socket_timeout_in_seconds',
  'root_url',
];

/**
 * Apollo's bigquery default: the service-account key's fields pass through as they are (none of them required:
 * without a key the connector uses Application Default Credentials), with `socket_timeout_in_seconds`.
 */
export const credentialPipeline: CredentialPipeline = {
  config: {
    name: 'bigquery-default',
    steps: [],
    mapper: {
      name: 'bq_client_args',
      field_map: Object.fromEntries(KEY_FIELDS.map((field) => [field, `{{ raw.${field} | default(none) }}`])),
    },
  },
  connectArgs: { types: { socket_timeout_in_seconds: 'float' } },
};
