import type { CredentialPipeline } from '@artemis/core';
import * as z from 'zod/mini';
import { numberLike } from '../db-api/number-like';

const text = z.string().check(z.minLength(1, 'must not be empty'));

/** The warehouse host: `server_hostname`, else the workspace URL without its scheme (Apollo's template). */
const SERVER_HOSTNAME =
  "{{ raw.server_hostname if raw.server_hostname is defined else (raw.databricks_workspace_url | replace('https://', '') | replace('http://', '') | trim('/')) }}";

/** A service principal's OAuth keys, as both default pipelines hand them to their step. */
const OAUTH_INPUTS = {
  client_id: '{{ raw.databricks_client_id | default(none) }}',
  client_secret: '{{ raw.databricks_client_secret | default(none) }}',
  azure_tenant_id: '{{ raw.azure_tenant_id | default(none) }}',
  azure_workspace_resource_id: '{{ raw.azure_workspace_resource_id | default(none) }}',
  azure_login_endpoint: '{{ raw.azure_login_endpoint | default(none) }}',
} as const;

/** Optional keys of databricks.sql.connect the connector reads, passed through when the credentials carry them. */
const PASSTHROUGH = [
  'catalog',
  'schema',
  'session_configuration',
  '_port',
  '_tls_trusted_ca_file',
  '_tls_no_verify',
  '_socket_timeout',
  '_retry_delay_min',
  '_retry_delay_max',
  '_retry_stop_after_attempts_count',
  '_retry_stop_after_attempts_duration',
] as const;

/**
 * Apollo's databricks default: a personal access token (`access_token`), or a service principal's OAuth credentials
 * (`databricks_client_id` + `databricks_client_secret`, with `azure_tenant_id` + `azure_workspace_resource_id` for
 * Azure Entra ID) made into `credentials_provider` by `resolve_databricks_oauth`; the client id and secret never reach
 * `connect_args` themselves. `_use_arrow_native_complex_types` defaults to false (complex values as JSON text).
 * Beyond Apollo: `ssl_options.ca_data` (a CA to trust, written to a temp file as `_tls_trusted_ca_file`) and
 * `ssl_options.disabled`.
 */
export const credentialPipeline: CredentialPipeline = {
  config: {
    name: 'databricks-default',
    steps: [
      {
        type: 'resolve_databricks_oauth',
        when: 'raw.databricks_client_id is defined and raw.databricks_client_secret is defined',
        input: { server_hostname: SERVER_HOSTNAME, ...OAUTH_INPUTS },
        output: { credentials_provider: 'databricks_credentials_provider' },
        field_map: { credentials_provider: '{{ derived.databricks_credentials_provider }}' },
      },
      {
        type: 'resolve_ssl_options',
        when: 'raw.ssl_options is mapping',
        input: { ssl_options: '{{ raw.ssl_options }}' },
        output: { ssl_options: 'ssl_options', ca_path: 'ssl_ca_path' },
        field_map: {
          _tls_trusted_ca_file: '{{ derived.ssl_ca_path | default(raw._tls_trusted_ca_file | default(none)) }}',
          _tls_no_verify: '{{ true if derived.ssl_options.disabled else raw._tls_no_verify | default(none) }}',
        },
      },
    ],
    mapper: {
      name: 'databricks_sql_client_args',
      field_map: {
        server_hostname: SERVER_HOSTNAME,
        http_path: '{{ raw.http_path }}',
        access_token: '{{ raw.access_token | default(none) }}',
        credentials_provider: '{{ raw.credentials_provider | default(none) }}',
        _use_arrow_native_complex_types: '{{ raw._use_arrow_native_complex_types | default(none) }}',
        _user_agent_entry: '{{ raw._user_agent_entry | default(none) }}',
        ...Object.fromEntries(PASSTHROUGH.map((key) => [key, `{{ raw.${key} | default(none) }}`])),
      },
    },
    connect_args_defaults: { _use_arrow_native_complex_types: false },
  },
  connectArgs: {
    required: ['server_hostname', 'http_path'],
    types: {
      server_hostname: 'str',
      http_path: 'str',
      access_token: 'str',
      _port: 'int',
      _socket_timeout: 'float',
      _retry_delay_min: 'float',
      _retry_delay_max: 'float',
      _retry_stop_after_attempts_count: 'int',
      _retry_stop_after_attempts_duration: 'float',
    },
  },
  rawCredentialsSchema: z.looseObject({
    server_hostname: z.optional(text),
    databricks_workspace_url: z.optional(text),
    http_path: text,
    access_token: z.optional(z.string()),
    databricks_client_id: z.optional(z.string()),
    databricks_client_secret: z.optional(z.string()),
    _port: z.optional(numberLike),
  }),
};

/**
 * Apollo's databricks-rest default: `resolve_databricks_token` makes the workspace's access token from OAuth
 * credentials (`databricks_client_id` + `databricks_client_secret`, Azure Entra ID with `azure_tenant_id` +
 * `azure_workspace_resource_id`; fetched through the SSRF guard; OAuth wins over a stale PAT) or the personal access
 * token `databricks_token`. Credentials already holding `token` (pre-shaped) keep it.
 */
export const restCredentialPipeline: CredentialPipeline = {
  config: {
    name: 'databricks-rest-default',
    steps: [
      {
        type: 'resolve_databricks_token',
        when: 'raw.databricks_token is defined or raw.databricks_client_id is defined',
        input: {
          workspace_url: '{{ raw.databricks_workspace_url }}',
          databricks_token: '{{ raw.databricks_token | default(none) }}',
          ...OAUTH_INPUTS,
        },
        output: { token: 'databricks_rest_token' },
        field_map: { token: '{{ derived.databricks_rest_token }}' },
      },
    ],
    mapper: {
      name: 'databricks_rest_client_args',
      field_map: {
        databricks_workspace_url: '{{ raw.databricks_workspace_url }}',
        token: '{{ raw.token | default(none) }}',
      },
    },
  },
  connectArgs: {
    required: ['databricks_workspace_url', 'token'],
    types: { databricks_workspace_url: 'str', token: 'str' },
  },
  rawCredentialsSchema: z.looseObject({ databricks_workspace_url: text }),
};
