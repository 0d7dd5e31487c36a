import { nativeConnectors } from '@artemis/connectors';
import { bootAgent, createAgent } from '@artemis/core/runtime';
import { createLambdaHandler } from './handler';
import { lambdaEventDispatcher } from './lambda-dispatcher';
import { CORE_PAYLOAD_LIMIT_BYTES } from './payload-limit';
import { lambdaRemoteOps } from './remote-ops/lambda-remote-ops';

/*
 * The Lambda bundle's entry (dist/lambda/index.mjs, handler "index.handler"). The agent is built during INIT, which
 * runs on a full vCPU; a configuration error or a broken plugin fails the init with one clear line (bootAgent)
 * instead of failing every invoke.
 */
const agent = await bootAgent({
  createAgent: (config) =>
    createAgent({
      config,
      platform: 'AWS',
      defaultStorage: 'S3',
      connectors: nativeConnectors,
      responsePayloadLimitBytes: CORE_PAYLOAD_LIMIT_BYTES,
      asyncDispatcher: lambdaEventDispatcher(),
      remoteOps: lambdaRemoteOps(),
      platformInfo: () => ({
        function_name: process.env.AWS_LAMBDA_FUNCTION_NAME,
        function_version: process.env.AWS_LAMBDA_FUNCTION_VERSION,
        memory_size_mb: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
        region: process.env.AWS_REGION,
      }),
    }),
});

export const handler = createLambdaHandler(agent);
