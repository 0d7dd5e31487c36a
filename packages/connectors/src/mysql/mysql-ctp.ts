import type { CredentialPipeline } from '@artemis/core';
import * as z from 'zod/mini';
import { numberLike } from '../db-api/number-like';

const text = z.string().check(z.minLength(1, 'must not be empty'));

/**
 * The mysql default pipeline (Apollo's `ctp/defaults/mysql.py`): flat credentials (`database` / `db_name` /
 * `dbname`, `ssl_options`) or pre-shaped PyMySQL `connect_args` into the keywords the connector reads. TLS as Apollo:
 * `ssl_options.ca` (a URL, or a key of the agent's storage with `mechanism`) is downloaded; inline `ca_data` is
 * written to a temp file. Either becomes PyMySQL's `ssl: {"ca": path}`, with the host name checked when
 * `verify_identity` holds; verification skipped → TLS without a CA; `disabled` → no TLS.
 */
export const credentialPipeline: CredentialPipeline = {
  config: {
    name: 'mysql-default',
    steps: [
      {
        type: 'fetch_remote_file',
        when: 'raw.ssl_options is mapping and raw.ssl_options.ca is defined and raw.ssl_options.ca is not none',
        input: {
          url: '{{ raw.ssl_options.ca }}',
          sub_folder: 'mysql',
          mechanism: "{{ raw.ssl_options.mechanism | default('url') }}",
        },
        output: { path: 'ssl_ca_path' },
        field_map: { ssl: "{{ {'ca': derived.ssl_ca_path} if derived.ssl_ca_path is defined else none }}" },
      },
      {
        type: 'resolve_ssl_options',
        when: 'raw.ssl_options is mapping and (raw.ssl_options.ca is not defined or raw.ssl_options.ca is none)',
        input: { ssl_options: '{{ raw.ssl_options }}' },
        output: { ssl_options: 'ssl_options', ca_path: 'ssl_ca_path', ssl_mode: 'ssl_mode' },
        field_map: {
          ssl: "{{ none if derived.ssl_options.disabled else ({'ca': derived.ssl_ca_path, 'check_hostname': derived.ssl_options.verify_identity} if derived.ssl_ca_path is defined and derived.ssl_mode is not defined else {}) }}",
          ssl_disabled: '{{ true if derived.ssl_options.disabled else none }}',
        },
      },
    ],
    mapper: {
      name: 'mysql_client_args',
      field_map: {
        host: '{{ raw.host | default(none) }}',
        port: '{{ raw.port | default(none) }}',
        user: '{{ raw.user | default(none) }}',
        password: '{{ raw.password | default(none) }}',
        database: '{{ raw.database | default(raw.db_name) | default(raw.dbname) | default(raw.db) | default(none) }}',
        charset: '{{ raw.charset | default(none) }}',
        connect_timeout: '{{ raw.connect_timeout | default(none) }}',
        statement_timeout: '{{ raw.statement_timeout | default(none) }}',
        ssl: '{{ raw.ssl | default(none) }}',
        ssl_ca: '{{ raw.ssl_ca | default(none) }}',
        ssl_disabled: '{{ raw.ssl_disabled | default(none) }}',
        ssl_verify_identity: '{{ raw.ssl_verify_identity | default(none) }}',
        // Carried so the connector refuses a Unix socket by name instead of the mapper dropping it unseen.
        unix_socket: '{{ raw.unix_socket | default(raw.socketPath) | default(none) }}',
      },
    },
  },
  connectArgs: {
    types: { host: 'str', port: 'int', user: 'str', password: 'str', database: 'str', connect_timeout: 'int' },
  },
  rawCredentialsSchema: z.looseObject({
    host: text,
    port: z.optional(numberLike),
    user: text,
    password: z.optional(z.string()),
    database: z.optional(z.string()),
    db_name: z.optional(z.string()),
    ssl_options: z.optional(z.looseObject({})),
  }),
};
