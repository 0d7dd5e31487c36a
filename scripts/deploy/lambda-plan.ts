import type { DeployOptions } from './deploy-options';
import { type Command, type DeployPlan, dockerBuild, terraformCommands, terraformFile } from './deploy-plan';

/** AWS Lambda: build the `lambda` image, push it to ECR, apply the aws-lambda module or the CloudFormation stack. */
export function lambdaPlan(options: DeployOptions): DeployPlan {
  const region = options.required('region');
  const account = options.required('account');
  const repository = options.value('repository') ?? 'artemis-agent';
  const registry = `${account}.dkr.ecr.${region}.amazonaws.com`;
  const image = `${registry}/${repository}:${options.version}`;
  const stack = options.value('stack-name') ?? options.name;
  const invokers = options.list('invoker');

  if (options.remove) {
    if (options.tool === 'cloudformation') {
      return {
        files: [],
        commands: [
          {
            argv: ['aws', 'cloudformation', 'delete-stack', '--stack-name', stack, '--region', region],
            why: 'remove the stack (a created bucket is retained)',
          },
          {
            argv: ['aws', 'cloudformation', 'wait', 'stack-delete-complete', '--stack-name', stack, '--region', region],
            why: 'wait until it is gone',
          },
        ],
      };
    }
    return {
      files: [lambdaTerraformFile(options, region, image, invokers)],
      commands: terraformCommands(options.stateDir, true, options.yes),
    };
  }

  const build: Command[] = [
    dockerBuild('lambda', image, options, 'build the Lambda image'),
    {
      argv: ['aws', 'ecr', 'describe-repositories', '--repository-names', repository, '--region', region],
      orElse: [
        'aws',
        'ecr',
        'create-repository',
        '--repository-name',
        repository,
        '--image-scanning-configuration',
        'scanOnPush=true',
        '--region',
        region,
      ],
      why: 'create the ECR repository unless it exists',
    },
    {
      argv: ['docker', 'login', '--username', 'AWS', '--password-stdin', registry],
      pipeFrom: ['aws', 'ecr', 'get-login-password', '--region', region],
      why: 'log docker in to ECR',
    },
    { argv: ['docker', 'push', image], why: 'push the image' },
  ];
  const check: Command = {
    argv: [
      'aws',
      'lambda',
      'invoke',
      '--region',
      region,
      '--function-name',
      options.name,
      '--cli-binary-format',
      'raw-in-base64-out',
      '--payload',
      '{"path": "/api/v1/test/health", "httpMethod": "GET", "queryStringParameters": {"trace_id": "deploy"}}',
      '/dev/stdout',
    ],
    why: 'call the health route',
  };
  if (options.tool === 'cloudformation') {
    const parameters = [
      `ImageUri=${image}`,
      `FunctionName=${options.name}`,
      `EnableRemoteUpgrade=${options.enableRemoteUpgrade}`,
      `EnablePlatformLogs=${options.enablePlatformLogs}`,
      ...(invokers[0] ? [`InvokerPrincipal=${invokers[0]}`] : []),
      ...Object.entries(options.vars).map(
        ([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
      ),
    ];
    const deploy: Command = {
      argv: [
        'aws',
        'cloudformation',
        'deploy',
        '--stack-name',
        stack,
        '--template-file',
        'infra/cloudformation/lambda.yaml',
        '--capabilities',
        'CAPABILITY_NAMED_IAM',
        '--region',
        region,
        '--parameter-overrides',
        ...parameters,
      ],
      why: 'create or update the stack',
    };
    return { files: [], commands: [...build, deploy, check] };
  }
  return {
    files: [lambdaTerraformFile(options, region, image, invokers)],
    commands: [...build, ...terraformCommands(options.stateDir, false, options.yes), check],
  };
}

function lambdaTerraformFile(options: DeployOptions, region: string, image: string, invokers: string[]) {
  return terraformFile(options, {
    provider: 'aws',
    providerSource: 'hashicorp/aws',
    providerConfig: { region },
    module: 'aws-lambda',
    inputs: { image_uri: image, invoker_principals: invokers },
    outputs: ['function_arn', 'bucket_name', 'log_group_name'],
  });
}
