import { awsClientConfig } from '@artemis/core';
import type { AwsRemoteOpsOptions } from './aws-remote-ops-options';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The Lambda adapter's own AWS clients (the updaters, CloudWatch Logs, the async self-invoke) on the agent's one AWS
 * base configuration (core's awsClientConfig: the CA bundle MCD_AWS_CA_BUNDLE_SECRET_NAME installed, the region),
 * like every other AWS client the agent makes; a test's overrides (endpoint, credentials) on top. Imported only
 * where a client is created, never on the health path.
 */
export async function withAgentAwsConfig(options: AwsRemoteOpsOptions, env: Env): Promise<AwsRemoteOpsOptions> {
  return { ...options, client: await awsClientConfig({ overrides: options.client, env }) };
}
