import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { awsClientConfig } from '../aws/aws-client-config';
import { ConfigError } from '../errors/startup-errors';
import type { SelfHostedCredentialsOptions } from './self-hosted-options';

type MutableEnv = Record<string, string | undefined>;

/** What Node offers at runtime to trust an extra CA process-wide (recent releases; absent in Node 20). */
type SetDefaultCaCertificates = (certs: string[]) => void;
type GetCaCertificates = (type: 'default') => string[];

/**
 * MCD_AWS_CA_BUNDLE_SECRET_NAME (apollo-inventory §8.6): a PEM bundle kept in Secrets Manager, for AWS endpoints
 * behind a TLS-inspecting proxy. It is written to `<MCD_TEMP_FOLDER>/ca_bundle/aws_ca_bundle.pem` (0600) and named in
 * AWS_CA_BUNDLE. The JavaScript SDK does not read AWS_CA_BUNDLE and NODE_EXTRA_CA_CERTS is read only when the
 * process starts, so the bundle is installed two ways: process-wide through `tls.setDefaultCACertificates` when the
 * running Node has it, and in any case for the AWS clients the agent creates (aws/aws-client-config.ts reads
 * AWS_CA_BUNDLE). A failure stops the agent: it would otherwise fail later, on every call, less clearly.
 */
export async function installAwsCaBundle(
  env: MutableEnv,
  clients: SelfHostedCredentialsOptions = {},
): Promise<string[]> {
  const secretName = env.MCD_AWS_CA_BUNDLE_SECRET_NAME;
  if (!secretName) return [];
  const pem = await fetchPem(secretName, env, clients);
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError(`MCD_AWS_CA_BUNDLE_SECRET_NAME: secret ${secretName} does not hold a PEM certificate bundle`);
  }
  const directory = join(env.MCD_TEMP_FOLDER || tmpdir(), 'ca_bundle');
  const path = join(directory, 'aws_ca_bundle.pem');
  await mkdir(directory, { recursive: true, mode: 0o700 });
  await writeFile(path, pem, { mode: 0o600 });
  await chmod(path, 0o600); // writeFile's mode applies only when it creates the file
  env.AWS_CA_BUNDLE = path;
  const node = tls as unknown as {
    setDefaultCACertificates?: SetDefaultCaCertificates;
    getCACertificates?: GetCaCertificates;
  };
  if (node.setDefaultCACertificates && node.getCACertificates) {
    node.setDefaultCACertificates([...node.getCACertificates('default'), pem]);
    return [`AWS CA bundle from ${secretName} installed at ${path} for every TLS connection of the process`];
  }
  return [`AWS CA bundle from ${secretName} installed at ${path} for the agent's AWS clients`];
}

async function fetchPem(secretName: string, env: MutableEnv, clients: SelfHostedCredentialsOptions): Promise<string> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  let client: InstanceType<typeof SecretsManagerClient> | undefined;
  try {
    client = new SecretsManagerClient(await awsClientConfig({ overrides: clients.aws, env }));
    const output = await client.send(new GetSecretValueCommand({ SecretId: secretName }));
    const pem = output.SecretString ?? (output.SecretBinary ? Buffer.from(output.SecretBinary).toString('utf8') : '');
    return pem;
  } catch (error) {
    const { name, message } = error as Error;
    throw new ConfigError(
      `MCD_AWS_CA_BUNDLE_SECRET_NAME: cannot fetch ${secretName} from AWS Secrets Manager: ${name}: ${message}`,
    );
  } finally {
    client?.destroy();
  }
}
