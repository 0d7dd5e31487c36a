import type { CredentialSource } from '../credential-source';
import type { SourceType } from '../self-hosted-envelope';

/** Each source is its own module, loaded on first use: an env_var lookup never loads a cloud SDK. */
export const sourceCatalog: { readonly [T in SourceType]: () => Promise<CredentialSource<T>> } = {
  env_var: async () => (await import('./env-var-source')).envVarSource,
  file: async () => (await import('./file-source')).fileSource,
  aws_secrets_manager: async () => (await import('./aws-secrets-manager-source')).awsSecretsManagerSource,
  aws_ssm_parameter: async () => (await import('./aws-ssm-parameter-source')).awsSsmParameterSource,
  gcp_secret_manager: async () => (await import('./gcp-secret-manager-source')).gcpSecretManagerSource,
  azure_key_vault: async () => (await import('./azure-key-vault-source')).azureKeyVaultSource,
};
