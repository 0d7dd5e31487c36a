import { awsClientConfig } from '../aws/aws-client-config';
import type { SourceContext } from './credential-source';
import type { SelfHostedEnvelope } from './self-hosted-envelope';

/** The fields of an envelope that choose the AWS session: region and an optional role to assume. */
export type AwsSession = Pick<SelfHostedEnvelope, 'aws_region' | 'assumable_role' | 'external_id'>;

/**
 * The AWS SDK configuration for a client acting on behalf of an envelope: the agent's one AWS base configuration
 * (aws/aws-client-config.ts: CA bundle, region, AssumeRole) with the envelope's region and role, under the
 * embedder's client overrides.
 */
export function envelopeAwsConfig(session: AwsSession, context: SourceContext): Promise<Record<string, unknown>> {
  return awsClientConfig({
    region: session.aws_region,
    assumeRole: session.assumable_role
      ? { roleArn: session.assumable_role, externalId: session.external_id }
      : undefined,
    overrides: context.clients.aws,
    env: context.env,
  });
}
