import type { CredentialSource } from '../credential-source';
import { fetchFailure } from '../fetch-failure';
import type { SelfHostedCredentialsOptions } from '../self-hosted-options';

const provider = 'GCP Secret Manager';

/** `gcp_secret_manager`: AccessSecretVersion of the full version name `projects/p/secrets/s/versions/v`. */
export const gcpSecretManagerSource: CredentialSource<'gcp_secret_manager'> = {
  provider,
  describe: (envelope) => `${provider} secret: ${envelope.gcp_secret}`,
  async fetch(envelope, context) {
    try {
      return await readGcpSecretVersion(envelope.gcp_secret, context.clients.gcp);
    } catch (error) {
      throw fetchFailure(`fetch credentials from ${provider}`, error);
    }
  },
};

/**
 * AccessSecretVersion of a full version name → its payload as UTF-8, with a client closed afterwards. Throws the
 * SDK's error as it is: each caller words its own failure. Also the configuration source's `gcp-secret:` reader.
 */
export async function readGcpSecretVersion(
  name: string,
  options: SelfHostedCredentialsOptions['gcp'],
): Promise<string> {
  const module = await import('@google-cloud/secret-manager');
  // A CommonJS package: depending on the loader its exports are named, or only on `default`.
  const SecretManagerServiceClient = module.SecretManagerServiceClient ?? module.default.SecretManagerServiceClient;
  const client = new SecretManagerServiceClient(options);
  try {
    const [version] = await client.accessSecretVersion({ name });
    const data = version.payload?.data;
    if (data === undefined || data === null) throw new Error(`Secret version ${name} has no payload`);
    return typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
  } finally {
    await client.close().catch(() => undefined);
  }
}
