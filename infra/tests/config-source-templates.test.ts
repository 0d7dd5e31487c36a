import { describe, expect, it } from '@jest/globals';
import { terraformModuleDir } from './support/infra-paths';
import { hasTool } from './support/real-tools';
import { evaluateLocals } from './support/terraform-evaluate';
import { loadTerraformModule } from './support/terraform-module';

/*
 * Issue 17: what each Terraform module grants for `config_source`, computed by the real `terraform console` from the
 * modules' own expressions (a plan cannot show them: the grants name resources the same apply creates). The agent
 * reads exactly that path, parameter or secret.
 */
const TERRAFORM = hasTool('terraform', ['version']);
const itWithTerraform = TERRAFORM ? it : it.skip;
const skipped = TERRAFORM ? '' : ' (skipped: terraform is not installed)';

describe('aws-lambda config_source', () => {
  const LOG_GROUP = 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/artemis-agent';
  const grant = async (source: string | null) => {
    const module = await loadTerraformModule(terraformModuleDir('aws-lambda'));
    return evaluateLocals(
      module,
      ['config_source_read', 'config_source_environment'],
      { config_source: source, config_source_overrides: false },
      { 'aws_cloudwatch_log_group.agent.arn': LOG_GROUP, 'data.aws_partition.current.partition': 'aws' },
    );
  };

  itWithTerraform.each([
    [
      'ssm:/artemis/prod/',
      {
        action: 'ssm:GetParametersByPath',
        resource: 'arn:aws:ssm:eu-west-1:123456789012:parameter/artemis/prod',
        service: 'ssm',
        context: 'kms:EncryptionContext:PARAMETER_ARN',
        encrypted: 'arn:aws:ssm:eu-west-1:123456789012:parameter/artemis/prod/*',
      },
    ],
    [
      'ssm:/artemis/config',
      {
        action: 'ssm:GetParameter',
        resource: 'arn:aws:ssm:eu-west-1:123456789012:parameter/artemis/config',
        service: 'ssm',
        context: 'kms:EncryptionContext:PARAMETER_ARN',
        encrypted: 'arn:aws:ssm:eu-west-1:123456789012:parameter/artemis/config',
      },
    ],
    [
      'secretsmanager:artemis/config',
      {
        action: 'secretsmanager:GetSecretValue',
        resource: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:artemis/config-??????',
        service: 'secretsmanager',
        context: 'kms:EncryptionContext:SecretARN',
        encrypted: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:artemis/config-??????',
      },
    ],
    [
      'secretsmanager:arn:aws:secretsmanager:us-east-2:123456789012:secret:artemis/config-AbCdEf',
      {
        action: 'secretsmanager:GetSecretValue',
        resource: 'arn:aws:secretsmanager:us-east-2:123456789012:secret:artemis/config-AbCdEf',
        service: 'secretsmanager',
        context: 'kms:EncryptionContext:SecretARN',
        encrypted: 'arn:aws:secretsmanager:us-east-2:123456789012:secret:artemis/config-AbCdEf',
      },
    ],
  ])(
    `%s: grants one action on exactly that resource${skipped}`,
    async (source, read) => {
      // Act
      const locals = await grant(source);

      // Assess
      expect(locals).toEqual({
        config_source_read: read,
        config_source_environment: { MCD_CONFIG_SOURCE: source, MCD_CONFIG_SOURCE_OVERRIDES: 'false' },
      });
    },
    60_000,
  );

  itWithTerraform(
    `null: grants nothing and sets nothing${skipped}`,
    async () => {
      // Act
      const locals = await grant(null);

      // Assess
      expect(locals).toEqual({ config_source_read: null, config_source_environment: {} });
    },
    60_000,
  );
});

describe('gcp-cloudrun config_source', () => {
  itWithTerraform.each([
    ['gcp-secret:projects/acme/secrets/artemis-config/versions/latest', 'projects/acme/secrets/artemis-config'],
    [null, null],
  ])(
    `%s: secretAccessor on that secret only${skipped}`,
    async (source, secret) => {
      // Prepare
      const module = await loadTerraformModule(terraformModuleDir('gcp-cloudrun'));

      // Act
      const locals = await evaluateLocals(module, ['config_source_secret'], {
        config_source: source,
        config_source_overrides: false,
      });

      // Assess
      expect(locals).toEqual({ config_source_secret: secret });
    },
    60_000,
  );
});

describe('azure-functions config_source', () => {
  const VAULT = '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/acme-vault';
  itWithTerraform.each([
    [
      'keyvault:https://acme-vault.vault.azure.net/secrets/artemis-config',
      VAULT,
      { config_source_scope: `${VAULT}/secrets/artemis-config`, config_source_vault_ok: true },
    ],
    [
      'keyvault:https://acme-vault.vault.azure.net/secrets/artemis-config/0123abcd',
      VAULT,
      { config_source_scope: `${VAULT}/secrets/artemis-config`, config_source_vault_ok: true },
    ],
    [
      'keyvault:https://other-vault.vault.azure.net/secrets/artemis-config',
      VAULT,
      { config_source_scope: `${VAULT}/secrets/artemis-config`, config_source_vault_ok: false },
    ],
    [
      'keyvault:https://acme-vault.vault.azure.net/secrets/artemis-config',
      null,
      { config_source_scope: '-/secrets/artemis-config', config_source_vault_ok: false },
    ],
    [null, null, { config_source_scope: null, config_source_vault_ok: true }],
  ])(
    `%s in vault %s: Key Vault Secrets User on that secret only${skipped}`,
    async (source, vault, expected) => {
      // Prepare
      const module = await loadTerraformModule(terraformModuleDir('azure-functions'));

      // Act
      const locals = await evaluateLocals(module, ['config_source_scope', 'config_source_vault_ok'], {
        config_source: source,
        config_source_key_vault_id: vault,
        config_source_overrides: false,
      });

      // Assess
      expect(locals).toEqual(expected);
    },
    60_000,
  );
});
