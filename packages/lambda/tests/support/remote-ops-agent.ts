import { startTestAgent, type TestAgent } from '@artemis/core/testing';
import type { FakeAwsRemoteOps } from '@artemis/testkit';
import { lambdaRemoteOps } from '../../src/remote-ops/lambda-remote-ops';

export const FUNCTION_NAME = 'artemis-agent';
export const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com/mcd-agent';

/**
 * The real local server as the Lambda entry configures it (platform AWS, the Lambda remote operations), with the
 * SDK clients pointed at the fake and the waiters polling every few milliseconds.
 */
export function lambdaRemoteOpsAgent(
  fake: FakeAwsRemoteOps,
  env: Record<string, string> = {},
  now?: () => Date,
): Promise<TestAgent> {
  return startTestAgent(
    { MCD_AGENT_VERSION: '1.1.0', ...env },
    {
      platform: 'AWS',
      env: { AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME, AWS_REGION: 'us-east-1' },
      remoteOps: lambdaRemoteOps({
        client: {
          endpoint: fake.url,
          region: 'us-east-1',
          credentials: { accessKeyId: 'AKIDAGENT', secretAccessKey: 'agent-secret' },
        },
        waiter: { minDelay: 0.01, maxDelay: 0.02, maxWaitTime: 30 },
        ...(now ? { now } : {}),
      }),
    },
  );
}

export async function call(
  agent: TestAgent,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = body === undefined ? await agent.get(path) : await agent.post(path, body);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
