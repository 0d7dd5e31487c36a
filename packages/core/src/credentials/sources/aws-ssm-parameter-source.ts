import type { CredentialSource } from '../credential-source';
import { envelopeAwsConfig } from '../envelope-aws-config';
import { fetchFailure } from '../fetch-failure';

const provider = 'AWS SSM Parameter Store';

/** `aws_ssm_parameter`: GetParameter of `ssm_parameter` WithDecryption, so a SecureString arrives decrypted. */
export const awsSsmParameterSource: CredentialSource<'aws_ssm_parameter'> = {
  provider,
  describe: (envelope) => `${provider} parameter: ${envelope.ssm_parameter}`,
  async fetch(envelope, context) {
    try {
      return await readSsmParameter(envelope.ssm_parameter, await envelopeAwsConfig(envelope, context));
    } catch (error) {
      throw fetchFailure(`fetch credentials from ${provider}`, error);
    }
  },
};

/**
 * GetParameter of `name` WithDecryption (a SecureString arrives decrypted), with a client built from `config` and
 * destroyed afterwards. Throws the SDK's error as it is: each caller words its own failure. Also the configuration
 * source's one-parameter `ssm:` reader.
 */
export async function readSsmParameter(name: string, config: Record<string, unknown>): Promise<string> {
  const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
  const client = new SSMClient(config);
  try {
    const output = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    const value = output.Parameter?.Value;
    if (value === undefined) throw new Error(`Parameter ${name} has no value`);
    return value;
  } finally {
    client.destroy();
  }
}
