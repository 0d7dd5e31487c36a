import type { CredentialSource } from '../credential-source';
import { fetchFailure } from '../fetch-failure';

const provider = 'GCP Secret Manager';

/** `gcp_secret_manager`: AccessSecretVersion of the full version name `projects/p/secrets/s/versions/v`. */
export const gcpSecretManagerSource: CredentialSource<'gcp_secret_manager'> = {
  provider,
  describe: (envelope) => `${provider} secret: ${envelope.gcp_secret}`,
  async fetch(envelope, context) {
    const module = await import('@google-cloud/secret-manager');
    // A CommonJS package: depending on the loader its exports are named, or only on `default`.
    const SecretManagerServiceClient = module.SecretManagerServiceClient ?? module.default.SecretManagerServiceClient;
    let client: InstanceType<typeof SecretManagerServiceClient> | undefined;
    try {
      client = new SecretManagerServiceClient(context.clients.gcp);
      const [version] = await client.accessSecretVersion({ name: envelope.gcp_secret });
      const data = version.payload?.data;
      if (data === undefined || data === null) throw new Error(`Secret version ${envelope.gcp_secret} has no payload`);
      return typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
    } catch (error) {
      throw fetchFailure(`fetch credentials from ${provider}`, error);
    } finally {
      await client?.close().catch(() => undefined);
    }
  },
};
