import type { CredentialSource } from '../credential-source';
import { envelopeAwsConfig } from '../envelope-aws-config';
import { fetchFailure } from '../fetch-failure';

const provider = 'AWS SSM Parameter Store';

/** `aws_ssm_parameter`: GetParameter of `ssm_parameter` WithDecryption, so a SecureString arrives decrypted. */
export const awsSsmParameterSource: CredentialSource<'aws_ssm_parameter'> = {
  provider,
  describe: (envelope) => `${provider} parameter: ${envelope.ssm_parameter}`,
  async fetch(envelope, context) {
    const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
    let client: InstanceType<typeof SSMClient> | undefined;
    try {
      client = new SSMClient(await envelopeAwsConfig(envelope, context));
      const output = await client.send(new GetParameterCommand({ Name: envelope.ssm_parameter, WithDecryption: true }));
      const value = output.Parameter?.Value;
      if (value === undefined) throw new Error(`Parameter ${envelope.ssm_parameter} has no value`);
      return value;
    } catch (error) {
      throw fetchFailure(`fetch credentials from ${provider}`, error);
    } finally {
      client?.destroy();
    }
  },
};
