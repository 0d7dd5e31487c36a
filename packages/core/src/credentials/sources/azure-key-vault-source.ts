import type { TokenCredential } from '@azure/identity';
import type { CredentialSource } from '../credential-source';
import { fetchFailure } from '../fetch-failure';
import type { SelfHostedCredentialsOptions } from '../self-hosted-options';

const provider = 'Azure Key Vault';

/** One DefaultAzureCredential per process: it is the agent's own identity, and it caches its tokens. */
let defaultCredential: TokenCredential | undefined;

/** `azure_key_vault`: getSecret `akv_secret` from `akv_vault_url` or `https://<akv_vault_name>.vault.azure.net/`. */
export const azureKeyVaultSource: CredentialSource<'azure_key_vault'> = {
  provider,
  describe: (envelope) => `${provider} secret: ${envelope.akv_secret}`,
  async fetch(envelope, context) {
    try {
      const vaultUrl = envelope.akv_vault_url || `https://${envelope.akv_vault_name}.vault.azure.net/`;
      return await readKeyVaultSecret({ vaultUrl, name: envelope.akv_secret }, context.clients.azure);
    } catch (error) {
      throw fetchFailure(`fetch credentials from ${provider}`, error);
    }
  },
};

/**
 * getSecret `name` (at `version`, else the latest) from the vault at `vaultUrl`, with the agent's own identity unless
 * `options` gives a credential. Throws the SDK's error as it is: each caller words its own failure. Also the
 * configuration source's `keyvault:` reader.
 */
export async function readKeyVaultSecret(
  secret: { readonly vaultUrl: string; readonly name: string; readonly version?: string | undefined },
  options: SelfHostedCredentialsOptions['azure'],
): Promise<string> {
  const { SecretClient } = await import('@azure/keyvault-secrets');
  const credential = options?.credential ?? (await processCredential());
  const client = new SecretClient(secret.vaultUrl, credential, options?.client);
  const found = await client.getSecret(secret.name, secret.version ? { version: secret.version } : {});
  if (found.value === undefined) throw new Error(`Secret ${secret.name} has no value`);
  return found.value;
}

async function processCredential(): Promise<TokenCredential> {
  if (!defaultCredential) {
    const { DefaultAzureCredential } = await import('@azure/identity');
    defaultCredential = new DefaultAzureCredential();
  }
  return defaultCredential;
}
