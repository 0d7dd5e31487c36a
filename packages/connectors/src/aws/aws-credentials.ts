import { type Credentials, OperationError, validate } from '@artemis/core';
import * as z from 'zod/mini';
import { sslOptionsSchema } from '../shared/ssl-options';

const optionalText = z.optional(z.nullable(z.string()));

const awsFields = {
  /** ARN of a role to assume with STS (cross-account access); the agent's own identity when absent. */
  assumable_role: optionalText,
  external_id: optionalText,
  aws_region: optionalText,
  ssl_options: z.optional(z.nullable(sslOptionsSchema)),
  /** boto3's own names: an S3-compatible store or a local endpoint, and static keys. */
  endpoint_url: optionalText,
  aws_access_key_id: optionalText,
  aws_secret_access_key: optionalText,
  aws_session_token: optionalText,
};

/**
 * Credentials of the aws family (s3, glue, athena). Apollo reads them flat (`credentials.assumable_role`, ...); a
 * `connect_args` object with the same keys is accepted too and wins, for control planes that wrap everything.
 */
export const credentialsSchema = z.looseObject({
  ...awsFields,
  connect_args: z.optional(z.nullable(z.looseObject(awsFields))),
});

const awsConnectArgs = z.object(awsFields);

export type AwsConnectArgs = z.output<typeof awsConnectArgs>;

export function parseAwsCredentials(credentials: Credentials | null | undefined): AwsConnectArgs {
  const { connect_args: connectArgs, ...flat } = validate(credentialsSchema, credentials ?? {}, 'aws credentials');
  const merged: AwsConnectArgs = { ...flat, ...(connectArgs ?? {}) } as AwsConnectArgs;
  if (Boolean(merged.aws_access_key_id) !== Boolean(merged.aws_secret_access_key)) {
    throw new OperationError('aws_access_key_id and aws_secret_access_key must be given together');
  }
  return merged;
}
