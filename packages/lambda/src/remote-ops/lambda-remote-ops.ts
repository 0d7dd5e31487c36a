import { type AgentServices, lazyRemoteOp, type RemoteOps } from '@artemis/core/runtime';
import type { AwsRemoteOpsOptions } from './aws-remote-ops-options';

/**
 * The Lambda runtime's remote operations (SPEC §13): the CloudFormation updater when the template says so
 * (MCD_AGENT_WRAPPER_TYPE=CLOUDFORMATION with MCD_STACK_ID), the direct one otherwise, and CloudWatch Logs
 * (MCD_LOG_GROUP_ID). Every SDK is imported on the first call that needs it, never on the health path.
 */
export function lambdaRemoteOps(options: AwsRemoteOpsOptions = {}): RemoteOps {
  // Every client on the agent's AWS base configuration (CA bundle, region), made when first needed.
  const clientOptions = async (env: AgentServices['env']) =>
    (await import('./agent-aws-config')).withAgentAwsConfig(options, env);
  const direct = lazyRemoteOp(async ({ env }: AgentServices) => {
    const { LambdaDirectUpdater } = await import('./lambda-direct-updater');
    return new LambdaDirectUpdater(
      env.AWS_LAMBDA_FUNCTION_NAME,
      env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? '',
      await clientOptions(env),
    );
  });
  return {
    ...(options.now ? { now: options.now } : {}),
    updater: lazyRemoteOp(async (services) => {
      const { wrapperType, stackId } = services.config.remoteOps;
      if (wrapperType !== 'CLOUDFORMATION' || !stackId) return direct(services);
      const { CloudFormationUpdater } = await import('./cloudformation-updater');
      return new CloudFormationUpdater(stackId, () => direct(services), await clientOptions(services.env));
    }),
    aws: lazyRemoteOp(async ({ config, env }) => {
      const { CloudWatchLogs } = await import('./cloudwatch-logs');
      return new CloudWatchLogs(config.remoteOps.logGroupId, await clientOptions(env));
    }),
  };
}
