import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';

/*
 * scripts/deploy-{lambda,cloudrun,azure} --dry-run, run as a user runs them (the bash wrappers): the exact command
 * sequence build → push → apply → health, the Terraform root module they would write, and the refusals.
 */

const ROOT = join(import.meta.dirname, '..', '..');

function deploy(platform: string, ...args: string[]) {
  const result = spawnSync(join(ROOT, 'scripts', `deploy-${platform}`), args, { cwd: ROOT, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The printed script without its comments and the heredoc'd file. */
function commands(stdout: string): string[] {
  const lines = stdout.split('\n');
  const end = lines.lastIndexOf('EOF');
  return lines.slice(end + 1).filter((line) => line !== '' && !line.startsWith('#'));
}

function rootModule(stdout: string): { provider: Record<string, unknown>; module: { agent: Record<string, unknown> } } {
  const start = stdout.indexOf("<<'EOF'\n") + "<<'EOF'\n".length;
  return JSON.parse(stdout.slice(start, stdout.indexOf('\nEOF\n'))) as ReturnType<typeof rootModule>;
}

const ECR_IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/artemis-agent:1.2.0';

describe('scripts/deploy-lambda --dry-run', () => {
  it('prints build, ECR push, terraform apply and a health call, with the root module it writes', () => {
    // Act
    const { status, stdout } = deploy(
      'lambda',
      '--dry-run',
      '--version',
      '1.2.0',
      '--build',
      '7',
      '--account',
      '123456789012',
      '--region',
      'eu-west-1',
      '--enable-remote-upgrade',
      '--invoker',
      '210987654321',
      '--var',
      'memory_size=2048',
    );

    // Assess
    expect(status).toBe(0);
    expect(commands(stdout)).toEqual([
      `docker build --target lambda -t ${ECR_IMAGE} --build-arg MCD_AGENT_VERSION=1.2.0 --build-arg MCD_AGENT_BUILD=7 .`,
      'aws ecr describe-repositories --repository-names artemis-agent --region eu-west-1 >/dev/null 2>&1 || aws ecr create-repository --repository-name artemis-agent --image-scanning-configuration scanOnPush=true --region eu-west-1',
      'aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      `docker push ${ECR_IMAGE}`,
      'terraform -chdir=.artemis/deploy/lambda init -input=false',
      'terraform -chdir=.artemis/deploy/lambda apply',
      `aws lambda invoke --region eu-west-1 --function-name artemis-agent --cli-binary-format raw-in-base64-out --payload '{"path": "/api/v1/test/health", "httpMethod": "GET", "queryStringParameters": {"trace_id": "deploy"}}' /dev/stdout`,
    ]);
    expect(stdout).toContain('cat > .artemis/deploy/lambda/main.tf.json');
    const root = rootModule(stdout);
    expect(root.provider).toEqual({ aws: { region: 'eu-west-1' } });
    expect(root.module.agent).toEqual({
      source: '../../../infra/terraform/aws-lambda',
      name: 'artemis-agent',
      image_uri: ECR_IMAGE,
      invoker_principals: ['210987654321'],
      enable_remote_upgrade: true,
      enable_platform_logs: false,
      memory_size: 2048,
    });
  });

  it('deploys the CloudFormation stack with --tool cloudformation', () => {
    // Act
    const { status, stdout } = deploy(
      'lambda',
      '--dry-run',
      '--tool',
      'cloudformation',
      '--version',
      '1.2.0',
      '--account',
      '123456789012',
      '--region',
      'eu-west-1',
      '--enable-platform-logs',
      '--yes',
    );

    // Assess
    expect(status).toBe(0);
    expect(stdout).not.toContain('main.tf.json');
    expect(commands(stdout).slice(4)).toEqual([
      `aws cloudformation deploy --stack-name artemis-agent --template-file infra/cloudformation/lambda.yaml --capabilities CAPABILITY_NAMED_IAM --region eu-west-1 --parameter-overrides ImageUri=${ECR_IMAGE} FunctionName=artemis-agent EnableRemoteUpgrade=false EnablePlatformLogs=true`,
      expect.stringMatching(/^aws lambda invoke /),
    ]);
  });

  it('removes the stack, or destroys the Terraform deployment, with --remove', () => {
    // Act
    const stack = deploy(
      'lambda',
      '--dry-run',
      '--remove',
      '--tool',
      'cloudformation',
      '--account',
      '1',
      '--region',
      'eu-west-1',
    );
    const terraform = deploy('lambda', '--dry-run', '--remove', '--yes', '--account', '1', '--region', 'eu-west-1');

    // Assess
    expect(commands(stack.stdout)).toEqual([
      'aws cloudformation delete-stack --stack-name artemis-agent --region eu-west-1',
      'aws cloudformation wait stack-delete-complete --stack-name artemis-agent --region eu-west-1',
    ]);
    expect(commands(terraform.stdout)).toEqual([
      'terraform -chdir=.artemis/deploy/lambda init -input=false',
      'terraform -chdir=.artemis/deploy/lambda destroy -auto-approve',
    ]);
  });

  it('refuses to run without the version, naming what is missing (exit 2)', () => {
    // Act
    const { status, stderr, stdout } = deploy('lambda', '--dry-run', '--account', '1', '--region', 'eu-west-1');

    // Assess
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('deploy-lambda: --version is required');
  });
});

describe('scripts/deploy-cloudrun --dry-run', () => {
  it('prints build, Artifact Registry push, terraform apply and a health call', () => {
    // Act
    const { status, stdout } = deploy(
      'cloudrun',
      '--dry-run',
      '--version',
      '1.2.0',
      '--project',
      'acme-data',
      '--region',
      'europe-west1',
      '--invoker',
      'control@acme-cp.iam.gserviceaccount.com',
    );

    // Assess
    const image = 'europe-west1-docker.pkg.dev/acme-data/artemis/agent:1.2.0-cloudrun';
    expect(status).toBe(0);
    expect(commands(stdout)).toEqual([
      `docker build --target cloudrun -t ${image} --build-arg MCD_AGENT_VERSION=1.2.0 --build-arg MCD_AGENT_BUILD=1 .`,
      'gcloud artifacts repositories describe artemis --project acme-data --location europe-west1 >/dev/null 2>&1 || gcloud artifacts repositories create artemis --project acme-data --location europe-west1 --repository-format docker',
      'gcloud auth configure-docker europe-west1-docker.pkg.dev --quiet',
      `docker push ${image}`,
      'terraform -chdir=.artemis/deploy/cloudrun init -input=false',
      'terraform -chdir=.artemis/deploy/cloudrun apply',
      `sh -c 'curl -sf -H "Authorization: Bearer $(gcloud auth print-identity-token)" "$(terraform -chdir=.artemis/deploy/cloudrun output -raw service_url)/api/v1/test/health?trace_id=deploy"'`,
    ]);
    expect(rootModule(stdout).module.agent).toMatchObject({
      source: '../../../infra/terraform/gcp-cloudrun',
      project_id: 'acme-data',
      region: 'europe-west1',
      image,
      invoker_service_account_emails: ['control@acme-cp.iam.gserviceaccount.com'],
    });
  });

  it('refuses --tool cloudformation', () => {
    // Act
    const { status, stderr } = deploy('cloudrun', '--dry-run', '--tool', 'cloudformation', '--version', '1');

    // Assess
    expect(status).toBe(2);
    expect(stderr).toContain('--tool cloudformation deploys Lambda only');
  });
});

describe('scripts/deploy-azure --dry-run', () => {
  it('prints build, ACR push, terraform apply and a health call with the function key', () => {
    // Act
    const { status, stdout } = deploy(
      'azure',
      '--dry-run',
      '--version',
      '1.2.0',
      '--subscription',
      '00000000-0000-0000-0000-000000000000',
      '--resource-group',
      'data-rg',
      '--location',
      'westeurope',
      '--registry',
      'acme',
      '--enable-remote-upgrade',
    );

    // Assess
    const image = 'acme.azurecr.io/artemis-agent:1.2.0-azure';
    expect(status).toBe(0);
    expect(commands(stdout)).toEqual([
      `docker build --target azure -t ${image} --build-arg MCD_AGENT_VERSION=1.2.0 --build-arg MCD_AGENT_BUILD=1 .`,
      'az acr login --name acme',
      `docker push ${image}`,
      'terraform -chdir=.artemis/deploy/azure init -input=false',
      'terraform -chdir=.artemis/deploy/azure apply',
      `sh -c 'curl -sf -H "x-functions-key: $(terraform -chdir=.artemis/deploy/azure output -raw default_function_key)" "$(terraform -chdir=.artemis/deploy/azure output -raw function_app_url)/api/v1/test/health?trace_id=deploy"'`,
    ]);
    const root = rootModule(stdout);
    expect(root.provider).toEqual({
      azurerm: { features: {}, subscription_id: '00000000-0000-0000-0000-000000000000' },
    });
    expect(root.module.agent).toMatchObject({
      resource_group_name: 'data-rg',
      location: 'westeurope',
      container_image: {
        registry_url: 'https://acme.azurecr.io',
        image_name: 'artemis-agent',
        image_tag: '1.2.0-azure',
      },
      enable_remote_upgrade: true,
    });
  });
});
