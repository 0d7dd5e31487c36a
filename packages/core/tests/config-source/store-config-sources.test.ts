import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type FakeAws,
  type FakeGcpSecretManager,
  type FakeKeyVault,
  fakeAwsClients,
  fakeAzureClients,
  fakeGcpClients,
  startFakeAws,
  startFakeGcpSecretManager,
  startFakeKeyVault,
} from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigError } from '../../src/config/config';
import { prepareEnvironment } from '../../src/credentials/prepare-environment';
import type { SelfHostedCredentialsOptions } from '../../src/credentials/self-hosted-options';

/*
 * MCD_CONFIG_SOURCE's JSON-object stores, each through its real SDK client against its HTTP-level fake (Secrets
 * Manager, GCP Secret Manager over its REST transport, Key Vault over HTTPS with its challenge), and `file:` under
 * MCD_CREDENTIALS_FILE_DIRS; then what every store's document is refused for.
 */
const VARIABLES = { MCD_LOG_LEVEL: 'warn', MCD_MAX_COMMANDS: 12, MCD_NETWORK_ALLOW_LOOPBACK: false };
const APPLIED = { MCD_LOG_LEVEL: 'warn', MCD_MAX_COMMANDS: '12', MCD_NETWORK_ALLOW_LOOPBACK: 'false' };
const GCP_VERSION = 'projects/acme/secrets/artemis-config/versions/2';

let aws: FakeAws;
let gcp: FakeGcpSecretManager;
let vault: FakeKeyVault;
let dir: string;
let clients: SelfHostedCredentialsOptions;
beforeAll(async () => {
  [aws, gcp, vault] = await Promise.all([startFakeAws(), startFakeGcpSecretManager(), startFakeKeyVault()]);
  aws.secrets.set('artemis/config', JSON.stringify(VARIABLES));
  aws.secrets.set(
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:artemis/config-AbCdEf',
    JSON.stringify(VARIABLES),
  );
  aws.denied.add('artemis/denied');
  gcp.versions.set(GCP_VERSION, JSON.stringify(VARIABLES));
  gcp.denied.add('projects/acme/secrets/denied/versions/1');
  vault.secrets.set('artemis-config', JSON.stringify(VARIABLES));
  vault.denied.add('denied');
  dir = mkdtempSync(join(tmpdir(), 'artemis-config-source-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(VARIABLES));
  clients = {
    aws: { ...fakeAwsClients(aws), maxAttempts: 1 },
    gcp: fakeGcpClients(gcp),
    azure: fakeAzureClients(vault),
  };
});
afterAll(async () => {
  await Promise.all([aws.close(), gcp.close(), vault.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const prepare = (env: Record<string, string | undefined>) => prepareEnvironment(env, clients);

describe('JSON-object stores', () => {
  it.each([
    ['secretsmanager:artemis/config', () => aws.calls.at(-1)?.input, { SecretId: 'artemis/config' }],
    [
      'secretsmanager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:artemis/config-AbCdEf',
      () => ({ ...aws.calls.at(-1)?.input, region: /\/eu-west-1\//.test(aws.calls.at(-1)?.authorization ?? '') }),
      { SecretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:artemis/config-AbCdEf', region: true },
    ],
    [`gcp-secret:${GCP_VERSION}`, () => gcp.calls.at(-1)?.path, `/v1/${GCP_VERSION}:access`],
    ['keyvault:<vault>/secrets/artemis-config', () => vault.calls.at(-1)?.path, '/secrets/artemis-config/'],
    [
      'keyvault:<vault>/secrets/artemis-config/0123abcd',
      () => vault.calls.at(-1)?.path,
      '/secrets/artemis-config/0123abcd',
    ],
    ['file:config.json', () => 'read', 'read'],
  ])('%s: applies the JSON object, numbers and booleans as text', async (source, called, expected) => {
    // Prepare
    const env: Record<string, string | undefined> = {
      MCD_CONFIG_SOURCE: source.replace('<vault>', vault.url),
      MCD_CREDENTIALS_FILE_DIRS: dir,
    };

    // Act
    const prepared = await prepare(env);

    // Assess
    expect(env).toMatchObject(APPLIED);
    expect(prepared.configSourceVariables).toEqual(Object.keys(APPLIED));
    expect(called()).toEqual(expected);
  });

  it.each([
    [
      'secretsmanager:artemis/missing',
      "cannot read AWS Secrets Manager: ResourceNotFoundException: Secrets Manager can't find the specified secret.",
    ],
    [
      'secretsmanager:artemis/denied',
      'cannot read AWS Secrets Manager: AccessDeniedException: User is not authorized to access artemis/denied',
    ],
    [
      'gcp-secret:projects/acme/secrets/denied/versions/1',
      "cannot read GCP Secret Manager: Permission 'secretmanager.versions.access' denied for resource 'projects/acme/secrets/denied/versions/1'",
    ],
    [
      'keyvault:<vault>/secrets/denied',
      'cannot read Azure Key Vault: RestError: The user does not have secrets get permission on key vault for denied',
    ],
    ['file:missing.json', 'cannot read the file: Configuration file not found: missing.json'],
    [
      'file:/etc/passwd',
      'cannot read the file: Configuration file must be a file under MCD_CREDENTIALS_FILE_DIRS: /etc/passwd',
    ],
  ])('%s: a store failure stops start-up with one line naming the source', async (source, reason) => {
    // Prepare
    const env: Record<string, string | undefined> = {
      MCD_CONFIG_SOURCE: source.replace('<vault>', vault.url),
      MCD_CREDENTIALS_FILE_DIRS: dir,
    };

    // Act
    const preparing = prepare(env);

    // Assess
    await expect(preparing).rejects.toThrow(new ConfigError(`MCD_CONFIG_SOURCE ${env.MCD_CONFIG_SOURCE}: ${reason}`));
    expect(Object.keys(env)).toEqual(['MCD_CONFIG_SOURCE', 'MCD_CREDENTIALS_FILE_DIRS']);
  });

  it('file: is off without MCD_CREDENTIALS_FILE_DIRS', async () => {
    // Act
    const preparing = prepare({ MCD_CONFIG_SOURCE: `file:${join(dir, 'config.json')}` });

    // Assess
    await expect(preparing).rejects.toThrow(
      new ConfigError(
        `MCD_CONFIG_SOURCE file:${join(dir, 'config.json')}: MCD_CREDENTIALS_FILE_DIRS must list the directory that holds it`,
      ),
    );
  });
});

describe('what a source may not hold', () => {
  const SECRET = 'hunter2-Zp4';
  it.each([
    ['a JSON array', '[{"MCD_LOG_LEVEL": "warn"}]', 'expected a JSON object of variables, got an array'],
    ['a JSON string', '"MCD_LOG_LEVEL=warn"', 'expected a JSON object of variables, got a string'],
    ['not JSON', `MCD_LOG_LEVEL=${SECRET}`, 'is not valid JSON (expected a JSON object of variables)'],
    [
      'a non-MCD name',
      JSON.stringify({ MCD_LOG_LEVEL: 'warn', AWS_SECRET_ACCESS_KEY: SECRET }),
      'AWS_SECRET_ACCESS_KEY is not accepted (only MCD_* names and APPINSIGHTS_RESOURCE_ID, GOOGLE_CLOUD_PROJECT, PORT)',
    ],
    [
      'a nested value',
      JSON.stringify({ MCD_DB: { password: SECRET } }),
      'MCD_DB must be a string, a number or a boolean (got an object)',
    ],
    [
      'null and an array',
      JSON.stringify({ MCD_A: null, MCD_B: [SECRET] }),
      'MCD_A must be a string, a number or a boolean (got null); MCD_B must be a string, a number or a boolean (got an array)',
    ],
    [
      'a setting read before the source',
      JSON.stringify({ MCD_CONFIG_SOURCE: 'ssm:/other/', MCD_AWS_CA_BUNDLE_SECRET_NAME: 'x' }),
      'MCD_CONFIG_SOURCE is read before the configuration source and cannot be set by it; MCD_AWS_CA_BUNDLE_SECRET_NAME is read before the configuration source and cannot be set by it',
    ],
  ])('%s stops start-up with one line, no value in it, and nothing applied', async (_case, text, reason) => {
    // Prepare
    writeFileSync(join(dir, 'bad.json'), text);
    const env: Record<string, string | undefined> = {
      MCD_CONFIG_SOURCE: 'file:bad.json',
      MCD_CREDENTIALS_FILE_DIRS: dir,
    };

    // Act
    const error = await prepare(env).catch((caught: unknown) => caught);

    // Assess
    expect(error).toEqual(new ConfigError(`MCD_CONFIG_SOURCE file:bad.json: ${reason}`));
    expect(String((error as Error).stack)).not.toContain(SECRET);
    expect(Object.keys(env)).toEqual(['MCD_CONFIG_SOURCE', 'MCD_CREDENTIALS_FILE_DIRS']);
  });

  it.each([
    [
      'ssm:',
      "MCD_CONFIG_SOURCE: ssm: needs a parameter path such as ssm:/artemis/prod/ or a parameter name (got 'ssm:')",
    ],
    [
      'ssm:/',
      "MCD_CONFIG_SOURCE: ssm: needs a parameter path such as ssm:/artemis/prod/ or a parameter name (got 'ssm:/')",
    ],
    [
      'ssm:artemis/prod/',
      "MCD_CONFIG_SOURCE: ssm: a parameter path starts with / (ssm:/artemis/prod/) (got 'ssm:artemis/prod/')",
    ],
    [
      'vault:/artemis',
      "MCD_CONFIG_SOURCE: unknown scheme; expected ssm:, secretsmanager:, gcp-secret:, keyvault:, file: (got 'vault:/artemis')",
    ],
    [
      'gcp-secret:projects/acme/secrets/x',
      "MCD_CONFIG_SOURCE: gcp-secret: needs a full version name: gcp-secret:projects/<project>/secrets/<secret>/versions/<version|latest> (got 'gcp-secret:projects/acme/secrets/x')",
    ],
    [
      'keyvault:http://vault.example/secrets/x',
      "MCD_CONFIG_SOURCE: keyvault: needs a secret URL: keyvault:https://<vault>.vault.azure.net/secrets/<name>[/<version>] (got 'keyvault:http://vault.example/secrets/x')",
    ],
  ])('MCD_CONFIG_SOURCE=%s is refused before any store is called', async (source, problem) => {
    // Prepare
    aws.calls.length = 0;

    // Act
    const preparing = prepare({ MCD_CONFIG_SOURCE: source });

    // Assess
    await expect(preparing).rejects.toThrow(new ConfigError(`Invalid configuration: ${problem}`));
    expect(aws.calls).toEqual([]);
  });

  it('refuses an MCD_CONFIG_SOURCE_OVERRIDES that is not exactly true or false', async () => {
    // Act
    const preparing = prepare({ MCD_CONFIG_SOURCE: 'file:config.json', MCD_CONFIG_SOURCE_OVERRIDES: 'yes' });

    // Assess
    await expect(preparing).rejects.toThrow(
      new ConfigError("Invalid configuration: MCD_CONFIG_SOURCE_OVERRIDES: expected true or false (got 'yes')"),
    );
  });
});
