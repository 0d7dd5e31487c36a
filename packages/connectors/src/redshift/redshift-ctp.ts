import type { CredentialPipeline } from '@artemis/core';
import * as z from 'zod/mini';
import { numberLike } from '../db-api/number-like';
import { LIBPQ_HOST, LIBPQ_KEEPALIVES, LIBPQ_PASSTHROUGH, LIBPQ_SSL_STEP, LIBPQ_TYPES } from '../shared/ssl-steps';

const text = z.string().check(z.minLength(1, 'must not be empty'));

/**
 * The redshift default pipeline (Apollo's `ctp/defaults/redshift.py`): port 5439, user `awsuser` unless given,
 * `query_timeout_in_seconds` as a statement timeout, Apollo's connect timeout and keepalives as defaults. Without a
 * password, `cluster_identifier` (+ `db_user`) or `workgroup_name` with `aws_region` mint temporary IAM credentials
 * (GetClusterCredentials / Redshift Serverless GetCredentials), optionally through `assumable_role`.
 */
export const credentialPipeline: CredentialPipeline = {
  config: {
    name: 'redshift-default',
    steps: [
      {
        type: 'resolve_redshift_credentials',
        when: 'raw.password is not defined and (raw.cluster_identifier is defined or raw.workgroup_name is defined)',
        input: {
          cluster_identifier: '{{ raw.cluster_identifier | default(none) }}',
          workgroup_name: '{{ raw.workgroup_name | default(none) }}',
          db_user: '{{ raw.db_user | default(raw.user) | default(none) }}',
          db_name: '{{ raw.db_name | default(raw.dbname) | default(raw.database) }}',
          aws_region: '{{ raw.aws_region }}',
          assumable_role: '{{ raw.assumable_role | default(none) }}',
          external_id: '{{ raw.external_id | default(none) }}',
          duration_seconds: '{{ raw.duration_seconds | default(none) }}',
        },
        output: { user: 'iam_user', password: 'iam_password' },
        field_map: { user: '{{ derived.iam_user }}', password: '{{ derived.iam_password }}' },
      },
      LIBPQ_SSL_STEP,
    ],
    mapper: {
      name: 'redshift_client_args',
      field_map: {
        host: LIBPQ_HOST,
        port: '{{ raw.port | default(5439) }}',
        dbname: '{{ raw.db_name | default(raw.dbname) | default(raw.database) | default(none) }}',
        user: "{{ raw.user | default('awsuser') }}",
        password: '{{ raw.password | default(none) }}',
        ...LIBPQ_PASSTHROUGH,
        options:
          "{{ '-c statement_timeout=' ~ (raw.query_timeout_in_seconds | int * 1000) if raw.query_timeout_in_seconds is defined else raw.options | default(none) }}",
      },
    },
    connect_args_defaults: { connect_timeout: 30, ...LIBPQ_KEEPALIVES },
  },
  connectArgs: { required: ['host'], types: LIBPQ_TYPES },
  // Apollo's two auth modes: a static password, or IAM (cluster or workgroup, with a region).
  rawCredentialsSchema: z
    .looseObject({
      host: text,
      port: z.optional(numberLike),
      db_name: z.optional(text),
      dbname: z.optional(text),
      database: z.optional(text),
      user: z.optional(z.string()),
      password: z.optional(text),
      cluster_identifier: z.optional(text),
      workgroup_name: z.optional(text),
      db_user: z.optional(text),
      aws_region: z.optional(text),
      connect_timeout: z.optional(numberLike),
      query_timeout_in_seconds: z.optional(numberLike),
      ssl_mode: z.optional(z.string()),
      ssl_options: z.optional(z.looseObject({})),
    })
    .check(
      z.refine((value) => Boolean(value.password ?? value.cluster_identifier ?? value.workgroup_name), {
        message: 'is required (or cluster_identifier / workgroup_name for IAM authentication)',
        path: ['password'],
      }),
      z.refine((value) => Boolean(value.password) || Boolean(value.aws_region), {
        message: 'is required for IAM authentication',
        path: ['aws_region'],
      }),
    ),
};
