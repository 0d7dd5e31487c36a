import type { CredentialSource } from '../credential-source';
import { envelopeAwsConfig } from '../envelope-aws-config';
import { fetchFailure } from '../fetch-failure';

const provider = 'AWS Secrets Manager';

/** `aws_secrets_manager`: GetSecretValue of `aws_secret` (name or ARN), with the envelope's region and role. */
export const awsSecretsManagerSource: CredentialSource<'aws_secrets_manager'> = {
  provider,
  describe: (envelope) => `${provider} secret: ${envelope.aws_secret}`,
  async fetch(envelope, context) {
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    let client: InstanceType<typeof SecretsManagerClient> | undefined;
    try {
      client = new SecretsManagerClient(await envelopeAwsConfig(envelope, context));
      const output = await client.send(new GetSecretValueCommand({ SecretId: envelope.aws_secret }));
      if (output.SecretString !== undefined) return output.SecretString;
      if (output.SecretBinary !== undefined) return Buffer.from(output.SecretBinary).toString('utf8');
      throw new Error(`Secret ${envelope.aws_secret} has no value`);
    } catch (error) {
      throw fetchFailure(`fetch credentials from ${provider}`, error);
    } finally {
      client?.destroy();
    }
  },
};
