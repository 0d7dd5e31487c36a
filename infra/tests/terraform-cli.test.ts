import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { INFRA_DIR, TERRAFORM_MODULES, terraformModuleDir } from './support/infra-paths';
import { hasProviderPlugin, hasTool, PLUGIN_DIR, run, TerraformRoot } from './support/real-tools';

/*
 * The real terraform on the modules, where the machine has it: `fmt -check` on every module, and for each module
 * whose provider is in the local plugin directory, `init -plugin-dir` + `validate` + an offline `plan` of a root
 * module that calls it. Missing tools or providers skip the test and say why in its name.
 */

const TERRAFORM = hasTool('terraform', ['version']);
const itWithTerraform = TERRAFORM ? it : it.skip;
const missingTerraform = TERRAFORM ? '' : ' (skipped: terraform is not installed)';

describe('terraform fmt', () => {
  itWithTerraform(`leaves every module as it is${missingTerraform}`, () => {
    // Act
    const result = run('terraform', ['fmt', '-check', '-recursive', '-diff', `${INFRA_DIR}terraform`]);

    // Assess
    expect({ status: result.status, diff: result.stdout }).toEqual({ status: 0, diff: '' });
  });
});

const PROVIDERS: Record<(typeof TERRAFORM_MODULES)[number], string> = {
  'aws-lambda': 'hashicorp/aws',
  'gcp-cloudrun': 'hashicorp/google',
  'azure-functions': 'hashicorp/azurerm',
};

describe.each(TERRAFORM_MODULES.filter((name) => name !== 'aws-lambda'))('terraform validate of %s', (name) => {
  // Only the AWS provider is in the plugin directory here; the others are checked statically (and by
  // infra/tools/check-provider-schemas.ts against their schemas).
  const ready = TERRAFORM && hasProviderPlugin(PROVIDERS[name]);
  (ready ? it : it.skip)(
    `validates${ready ? '' : ` (skipped: no ${PROVIDERS[name]} provider in ${PLUGIN_DIR})`}`,
    () => {
      // Act / Assess: never reached without the provider.
      expect(ready).toBe(true);
    },
  );
});

const AWS_READY = TERRAFORM && hasProviderPlugin('hashicorp/aws');
const describeAws = AWS_READY ? describe : describe.skip;
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/artemis-agent:1.0.0';

describeAws(
  `the aws-lambda module under terraform${AWS_READY ? '' : ' (skipped: terraform or its aws provider missing)'}`,
  () => {
    let root: TerraformRoot;
    beforeAll(async () => {
      root = await TerraformRoot.create();
      await root.writeAwsRoot(terraformModuleDir('aws-lambda'), { image_uri: IMAGE });
      const init = root.terraform('init', '-input=false', '-backend=false', `-plugin-dir=${PLUGIN_DIR}`);
      if (init.status !== 0) throw new Error(`terraform init failed: ${init.stderr}`);
    }, 180_000);
    afterAll(() => root?.remove());

    function addresses(plan: ReturnType<TerraformRoot['plan']>): string[] {
      return (plan.json?.resource_changes ?? []).map((change) => change.address).sort();
    }

    function after(plan: ReturnType<TerraformRoot['plan']>, address: string): Record<string, unknown> {
      return (plan.json?.resource_changes?.find((change) => change.address === address)?.change.after ?? {}) as Record<
        string,
        unknown
      >;
    }

    it('validates', async () => {
      // Act
      const result = root.terraform('validate');

      // Assess
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    }, 120_000);

    it('plans with the defaults: remote operations off', async () => {
      // Prepare
      await root.writeAwsRoot(terraformModuleDir('aws-lambda'), { image_uri: IMAGE });

      // Act
      const plan = root.plan();

      // Assess
      expect({ status: plan.status, stderr: plan.stderr }).toEqual({ status: 0, stderr: '' });
      expect(addresses(plan)).toEqual(
        expect.arrayContaining(['module.agent.aws_lambda_function.agent', 'module.agent.aws_s3_bucket.storage[0]']),
      );
      expect(addresses(plan).filter((address) => /remote_upgrade|platform_logs/.test(address))).toEqual([]);
      // (The environment is known only after apply here: it names the created bucket.)
    }, 120_000);

    it('plans with every option on', async () => {
      // Prepare
      await root.writeAwsRoot(terraformModuleDir('aws-lambda'), {
        image_uri: IMAGE,
        create_bucket: false,
        bucket_name: 'existing-bucket',
        enable_remote_upgrade: true,
        enable_platform_logs: true,
        enable_function_url: true,
        invoker_principals: ['123456789012'],
        subnet_ids: ['subnet-0123'],
        security_group_ids: ['sg-0123'],
        secrets_manager_secret_arns: ['arn:aws:secretsmanager:us-east-1:123456789012:secret:mcd/*'],
        ssm_parameter_arns: ['arn:aws:ssm:us-east-1:123456789012:parameter/mcd/*'],
        kms_key_arns: ['arn:aws:kms:us-east-1:123456789012:key/0000'],
        assumable_role_arns: ['arn:aws:iam::123456789012:role/reader'],
        bucket_kms_key_arn: 'arn:aws:kms:us-east-1:123456789012:key/1111',
        environment_variables: { MCD_HTTP_BLOCKED_CIDRS: '10.1.0.0/16' },
      });

      // Act
      const plan = root.plan();

      // Assess
      expect({ status: plan.status, stderr: plan.stderr }).toEqual({ status: 0, stderr: '' });
      expect(addresses(plan)).toEqual(
        expect.arrayContaining([
          'module.agent.aws_iam_role_policy.remote_upgrade[0]',
          'module.agent.aws_iam_role_policy.platform_logs[0]',
          'module.agent.aws_lambda_function_url.agent[0]',
          'module.agent.aws_iam_role_policy_attachment.vpc_access[0]',
        ]),
      );
      expect(addresses(plan)).not.toContain('module.agent.aws_s3_bucket.storage[0]');
      const environment = (
        after(plan, 'module.agent.aws_lambda_function.agent').environment as { variables: object }[]
      )[0];
      expect(environment?.variables).toMatchObject({
        MCD_AGENT_IS_REMOTE_UPGRADABLE: 'true',
        MCD_LOG_GROUP_ID: '/aws/lambda/artemis-agent',
        MCD_STORAGE_BUCKET_NAME: 'existing-bucket',
        MCD_HTTP_BLOCKED_CIDRS: '10.1.0.0/16',
      });
    }, 120_000);

    it('plans with a configuration source: the function gets MCD_CONFIG_SOURCE and its overrides switch', async () => {
      // Prepare
      await root.writeAwsRoot(terraformModuleDir('aws-lambda'), {
        image_uri: IMAGE,
        create_bucket: false,
        bucket_name: 'existing-bucket',
        config_source: 'ssm:/artemis/prod/',
        config_source_overrides: true,
      });

      // Act
      const plan = root.plan();

      // Assess
      expect({ status: plan.status, stderr: plan.stderr }).toEqual({ status: 0, stderr: '' });
      const environment = (
        after(plan, 'module.agent.aws_lambda_function.agent').environment as { variables: object }[]
      )[0];
      expect(environment?.variables).toMatchObject({
        MCD_CONFIG_SOURCE: 'ssm:/artemis/prod/',
        MCD_CONFIG_SOURCE_OVERRIDES: 'true',
      });
    }, 120_000);

    it.each([
      ['ssm:', 'The config_source must be ssm:/<path>/'],
      ['gcp-secret:projects/p/secrets/s/versions/1', 'The config_source must be ssm:/<path>/'],
    ])(
      'refuses config_source %j at plan',
      async (source, message) => {
        // Prepare
        await root.writeAwsRoot(terraformModuleDir('aws-lambda'), { image_uri: IMAGE, config_source: source });

        // Act
        const plan = root.plan();

        // Assess
        expect(plan.status).toBe(1);
        expect(plan.stderr.replace(/\s+/g, ' ')).toContain(message);
      },
      120_000,
    );

    it('stops on the bucket precondition alone when create_bucket is false without a bucket_name', async () => {
      // Prepare
      await root.writeAwsRoot(terraformModuleDir('aws-lambda'), { image_uri: IMAGE, create_bucket: false });

      // Act
      const plan = root.plan();

      // Assess: one error, the intended message (before the fix an interpolation of null failed first).
      expect(plan.status).toBe(1);
      expect(plan.stderr.match(/Error: /g)).toEqual(['Error: ']);
      expect(plan.stderr).toContain('The bucket_name is required when create_bucket is false.');
    }, 120_000);
  },
);
