import type { CredentialPipeline } from '@artemis/core';
import * as z from 'zod/mini';
import { numberLike } from '../db-api/number-like';
import { LIBPQ_HOST, LIBPQ_KEEPALIVES, LIBPQ_PASSTHROUGH, LIBPQ_SSL_STEP, LIBPQ_TYPES } from '../shared/ssl-steps';

const text = z.string().check(z.minLength(1, 'must not be empty'));

/**
 * The postgres default pipeline (Apollo's `ctp/defaults/postgres.py`): flat credentials with Apollo's spellings
 * (`database` / `db_name` / `dbname`, `ssl_mode`, `ssl_options`) or pre-shaped libpq `connect_args`, into the libpq
 * keywords the connector reads. Only `host` is required: trust and certificate authentication have no password.
 */
export const credentialPipeline: CredentialPipeline = {
  config: {
    name: 'postgres-default',
    steps: [LIBPQ_SSL_STEP],
    mapper: {
      name: 'postgres_client_args',
      field_map: {
        host: LIBPQ_HOST,
        port: '{{ raw.port | default(5432) }}',
        dbname: '{{ raw.database | default(raw.db_name) | default(raw.dbname) | default(none) }}',
        user: '{{ raw.user | default(none) }}',
        password: '{{ raw.password | default(none) }}',
        options: '{{ raw.options | default(none) }}',
        ...LIBPQ_PASSTHROUGH,
      },
    },
    connect_args_defaults: LIBPQ_KEEPALIVES,
  },
  connectArgs: { required: ['host'], types: LIBPQ_TYPES },
  // What a self-hosted postgres secret must hold (Apollo's documented fields).
  rawCredentialsSchema: z
    .looseObject({
      host: text,
      port: z.optional(numberLike),
      dbname: z.optional(text),
      database: z.optional(text),
      db_name: z.optional(text),
      user: text,
      password: text,
      ssl_mode: z.optional(z.string()),
      ssl_options: z.optional(z.looseObject({})),
    })
    .check(
      z.refine((value) => Boolean(value.dbname ?? value.database ?? value.db_name), {
        message: 'is required',
        path: ['dbname'],
      }),
    ),
};
