import { awsClientConfig } from '../aws/aws-client-config';
import { splitList } from '../config/config';
import type { ConfigSourceLocation } from '../config/config-source-location';
import { describeStoreError } from '../credentials/fetch-failure';
import type { SelfHostedCredentialsOptions } from '../credentials/self-hosted-options';
import { ConfigError } from '../errors/startup-errors';
import { ConfinedFileError, readConfinedFile } from '../local-files/confined-file';

type Env = Readonly<Record<string, string | undefined>>;

/** What a store holds: a JSON document (text), or an SSM path's parameters as [full name, value] pairs. */
export type StoreContent =
  | { readonly kind: 'document'; readonly text: string }
  | { readonly kind: 'parameters'; readonly parameters: ReadonlyArray<readonly [string, string]> };

const STORES: Readonly<Record<ConfigSourceLocation['kind'], string>> = {
  'ssm-path': 'AWS SSM Parameter Store',
  'ssm-parameter': 'AWS SSM Parameter Store',
  secretsmanager: 'AWS Secrets Manager',
  'gcp-secret': 'GCP Secret Manager',
  keyvault: 'Azure Key Vault',
  file: 'the file',
};

/**
 * Reads the store MCD_CONFIG_SOURCE names, with the SDK clients the self-hosted credentials sources use (loaded only
 * now, on the agent's own identity, with the AWS base configuration: CA bundle and region rules). A failure is one
 * ConfigError line naming the source and the store's reason (its error name and message, which describe the
 * request, never a value); the SDKs' own retries (throttling) have run by then.
 */
export async function readConfigSource(
  source: string,
  location: ConfigSourceLocation,
  env: Env,
  clients: SelfHostedCredentialsOptions,
): Promise<StoreContent> {
  try {
    return await readStore(location, env, clients);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const reason = error instanceof ConfinedFileError ? error.message : describeStoreError(error).detail;
    throw new ConfigError(`MCD_CONFIG_SOURCE ${source}: cannot read ${STORES[location.kind]}: ${reason}`);
  }
}

async function readStore(
  location: ConfigSourceLocation,
  env: Env,
  clients: SelfHostedCredentialsOptions,
): Promise<StoreContent> {
  const aws = (region?: string) => awsClientConfig({ region, overrides: clients.aws, env });
  switch (location.kind) {
    case 'ssm-path': {
      const { readSsmParametersByPath } = await import('./ssm-path-reader');
      return { kind: 'parameters', parameters: await readSsmParametersByPath(location.path, await aws()) };
    }
    case 'ssm-parameter': {
      const { readSsmParameter } = await import('../credentials/sources/aws-ssm-parameter-source');
      return document(await readSsmParameter(location.name, await aws()));
    }
    case 'secretsmanager': {
      const { readSecretsManagerSecret } = await import('../credentials/sources/aws-secrets-manager-source');
      return document(await readSecretsManagerSecret(location.secretId, await aws(location.region)));
    }
    case 'gcp-secret': {
      const { readGcpSecretVersion } = await import('../credentials/sources/gcp-secret-manager-source');
      return document(await readGcpSecretVersion(location.name, clients.gcp));
    }
    case 'keyvault': {
      const { readKeyVaultSecret } = await import('../credentials/sources/azure-key-vault-source');
      return document(await readKeyVaultSecret(location, clients.azure));
    }
    case 'file': {
      // A mounted secret: the same confinement as the `file` credentials source, under the same directories.
      const roots = splitList(env.MCD_CREDENTIALS_FILE_DIRS ?? '');
      if (roots.length === 0) {
        throw new ConfigError(
          `MCD_CONFIG_SOURCE file:${location.path}: MCD_CREDENTIALS_FILE_DIRS must list the directory that holds it`,
        );
      }
      const setting = 'MCD_CREDENTIALS_FILE_DIRS';
      return document(await readConfinedFile(location.path, { roots, subject: 'Configuration file', setting }));
    }
  }
}

function document(text: string): StoreContent {
  return { kind: 'document', text };
}
