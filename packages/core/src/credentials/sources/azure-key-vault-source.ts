import type { TokenCredential } from '@azure/identity';
import type { CredentialSource } from '../credential-source';
import { fetchFailure } from '../fetch-failure';

const provider = 'Azure Key Vault';

/** One DefaultAzureCredential per process: it is the agent's own identity, and it caches its tokens. */
let defaultCredential: TokenCredential | undefined;

/** `azure_key_vault`: getSecret `akv_secret` from `akv_vault_url` or `https://<akv_vault_name>.vault.azure.net/`. */
export const azureKeyVaultSource: CredentialSource<'azure_key_vault'> = {
  provider,
  describe: (envelope) => `${provider} secret: ${envelope.akv_secret}`,
  async fetch(envelope, context) {
    try {
      const { SecretClient } = await import('@azure/keyvault-secrets');
      const vaultUrl = envelope.akv_vault_url || `https://${envelope.akv_vault_name}.vault.azure.net/`;
      const credential = context.clients.azure?.credential ?? (await processCredential());
      const client = new SecretClient(vaultUrl, credential, context.clients.azure?.client);
      const secret = await client.getSecret(envelope.akv_secret);
      if (secret.value === undefined) throw new Error(`Secret ${envelope.akv_secret} has no value`);
      return secret.value;
    } catch (error) {
      throw fetchFailure(`fetch credentials from ${provider}`, error);
    }
  },
};

async function processCredential(): Promise<TokenCredential> {
  if (!defaultCredential) {
    const { DefaultAzureCredential } = await import('@azure/identity');
    defaultCredential = new DefaultAzureCredential();
  }
  return defaultCredential;
}
