import type { CredentialSource } from '../credential-source';
import { envelopeAwsConfig } from '../envelope-aws-config';
import { fetchFailure } from '../fetch-failure';

const provider = 'AWS Secrets Manager';

/** `aws_secrets_manager`: GetSecretValue of `aws_secret` (name or ARN), with the envelope's region and role. */
export const awsSecretsManagerSource: CredentialSource<'aws_secrets_manager'> = {
  provider,
  describe: (envelope) => `${provider} secret: ${envelope.aws_secret}`,
  async fetch(envelope, context) {
    try {
      return await readSecretsManagerSecret(envelope.aws_secret, await envelopeAwsConfig(envelope, context));
    } catch (error) {
      throw fetchFailure(`fetch credentials from ${provider}`, error);
    }
  },
};

/**
 * GetSecretValue of `secretId` (name or ARN) → SecretString (SecretBinary as UTF-8), with a client built from `config`
 * and destroyed afterwards. Throws the SDK's error as it is: each caller words its own failure. Also the start-up
 * configuration source's `secretsmanager:` reader.
 */
export async function readSecretsManagerSecret(secretId: string, config: Record<string, unknown>): Promise<string> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient(config);
  try {
    const output = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (output.SecretString !== undefined) return output.SecretString;
    if (output.SecretBinary !== undefined) return Buffer.from(output.SecretBinary).toString('utf8');
    throw new Error(`Secret ${secretId} has no value`);
  } finally {
    client.destroy();
  }
}
