import * as z from 'zod/mini';
import { numberLike } from '../db-api/number-like';

const text = z.string().check(z.minLength(1, 'must not be empty'));
const optionalText = z.optional(z.nullable(z.string()));
const seconds = z.optional(z.nullable(z.number().check(z.positive())));

/**
 * A service principal's OAuth credentials, as the `resolve_databricks_oauth` step hands them over (Apollo handed
 * `sql.connect` a `credentials_provider` callable built from the same values): Databricks-managed OAuth M2M, or Azure
 * Entra ID when a tenant and a workspace resource id are given. Tokens are fetched, through the SSRF guard, when the
 * connection needs one, and refreshed before they expire.
 */
export const databricksOAuthSchema = z.looseObject({
  workspace_url: optionalText,
  client_id: text,
  client_secret: text,
  azure_tenant_id: optionalText,
  azure_workspace_resource_id: optionalText,
  azure_login_endpoint: optionalText,
});

/**
 * `databricks.sql.connect()` keywords as Apollo's pipeline shapes them: the warehouse (`server_hostname`,
 * `http_path`), a personal access token or OAuth credentials, and the connector's own options with their Python
 * names: the initial `catalog` / `schema`, `session_configuration`, `_user_agent_entry`, `_port`, TLS
 * (`_tls_trusted_ca_file` under MCD_TEMP_FOLDER, `_tls_no_verify`), `_socket_timeout` and the retry settings
 * (`_retry_delay_min`, `_retry_delay_max` in seconds, `_retry_stop_after_attempts_count`,
 * `_retry_stop_after_attempts_duration`). Unknown keys are ignored.
 */
export const databricksConnectArgsSchema = z.looseObject({
  server_hostname: text,
  http_path: text,
  access_token: optionalText,
  credentials_provider: z.optional(z.nullable(databricksOAuthSchema)),
  catalog: optionalText,
  schema: optionalText,
  session_configuration: z.optional(z.nullable(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])))),
  _user_agent_entry: optionalText,
  _use_arrow_native_complex_types: z.optional(z.nullable(z.boolean())),
  _port: z.optional(z.nullable(numberLike)),
  _tls_trusted_ca_file: optionalText,
  _tls_no_verify: z.optional(z.nullable(z.boolean())),
  _socket_timeout: seconds,
  _retry_delay_min: seconds,
  _retry_delay_max: seconds,
  _retry_stop_after_attempts_count: z.optional(z.nullable(numberLike)),
  _retry_stop_after_attempts_duration: seconds,
});

export const databricksCredentialsSchema = z.looseObject({ connect_args: databricksConnectArgsSchema });

export type DatabricksConnectArgs = z.output<typeof databricksConnectArgsSchema>;
export type DatabricksOAuth = z.output<typeof databricksOAuthSchema>;
