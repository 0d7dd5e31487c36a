import { type Agent, createAgent, createLogger, loadConfig } from '@artemis/core';
import { fixtureEnv } from '@artemis/testkit';
import { CORE_PAYLOAD_LIMIT_BYTES } from '../../src/payload-limit';

/** An agent configured as the Lambda entry builds it, with the fixture connector plugin and captured logs. */
export async function lambdaAgent(env: Record<string, string> = {}): Promise<{ agent: Agent; logs: object[] }> {
  const logs: object[] = [];
  const config = loadConfig(fixtureEnv(env));
  const agent = createAgent({
    config,
    platform: 'AWS',
    defaultStorage: 'S3',
    responsePayloadLimitBytes: CORE_PAYLOAD_LIMIT_BYTES,
    logger: createLogger('debug', (record) => logs.push(record)),
  });
  await agent.ready();
  return { agent, logs };
}
