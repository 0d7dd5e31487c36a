import type { DeployOptions } from './deploy-options';
import { type Command, type DeployPlan, moduleSource, terraformCommands, terraformRoot } from './deploy-plan';

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
      files: [terraformFile(options, region, image, invokers)],
      commands: terraformCommands(options.stateDir, true, options.yes),
    };
  }

  const build: Command[] = [
    {
      argv: [
        'docker',
        'build',
        '--target',
        'lambda',
        '-t',
        image,
        '--build-arg',
        `MCD_AGENT_VERSION=${options.version}`,
        '--build-arg',
        `MCD_AGENT_BUILD=${options.build}`,
        '.',
      ],
      why: 'build the Lambda image',
    },
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
    files: [terraformFile(options, region, image, invokers)],
    commands: [...build, ...terraformCommands(options.stateDir, false, options.yes), check],
  };
}

function terraformFile(options: DeployOptions, region: string, image: string, invokers: string[]) {
  return {
    path: `${options.stateDir}/main.tf.json`,
    content: terraformRoot({
      provider: 'aws',
      providerSource: 'hashicorp/aws',
      providerConfig: { region },
      source: moduleSource(options.stateDir, 'aws-lambda'),
      inputs: {
        name: options.name,
        image_uri: image,
        invoker_principals: invokers,
        enable_remote_upgrade: options.enableRemoteUpgrade,
        enable_platform_logs: options.enablePlatformLogs,
        ...options.vars,
      },
      outputs: ['function_arn', 'bucket_name', 'log_group_name'],
    }),
  };
}
