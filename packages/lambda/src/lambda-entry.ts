import { nativeConnectors } from '@artemis/connectors';
import { createAgent, prepareEnvironment } from '@artemis/core/runtime';
import { createLambdaHandler } from './handler';
import { lambdaEventDispatcher } from './lambda-dispatcher';
import { CORE_PAYLOAD_LIMIT_BYTES } from './payload-limit';
import { lambdaRemoteOps } from './remote-ops/lambda-remote-ops';

/*
 * The Lambda bundle's entry (dist/lambda/index.mjs, handler "index.handler"). The agent is built during INIT, which
 * runs on a full vCPU: configuration errors and broken plugins fail the init with one clear line instead of
 * failing every invoke.
 */
// MCD_ADDITIONAL_ENV_VARS and the AWS CA bundle change the environment the configuration is parsed from.
const notes = await prepareEnvironment(process.env);
const agent = createAgent({
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
});
for (const note of notes) agent.logger.info(note);
await agent.ready();

export const handler = createLambdaHandler(agent);
