import type { CredentialPipeline } from '@artemis/core';
import { credentialsSchema } from './aws-credentials';

/**
 * The default pipeline of the aws family (s3, glue, athena; Apollo's `ctp/defaults/aws.py`): the session fields
 * `assumable_role`, `aws_region`, `external_id`, `ssl_options`, plus boto3's `endpoint_url` and static keys, flat or
 * pre-shaped, into `connect_args`. Empty credentials pass unchanged: the agent's own identity.
 */
export const awsCredentialPipeline: CredentialPipeline = {
  config: {
    name: 'aws-default',
    steps: [],
    mapper: {
      name: 'aws_client_args',
      field_map: Object.fromEntries(
        [
          'assumable_role',
          'aws_region',
          'external_id',
          'ssl_options',
          'endpoint_url',
          'aws_access_key_id',
          'aws_secret_access_key',
          'aws_session_token',
        ].map((key) => [key, `{{ raw.${key} | default(none) }}`]),
      ),
    },
  },
  rawCredentialsSchema: credentialsSchema,
};
