import type { AddressInfo } from 'node:net';
import { type FakeAws, fakeAwsClients, startFakeAws } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bootAgent } from '../../src/agent/boot-agent';
import { createAgent } from '../../src/agent/create-agent';
import { createLogger } from '../../src/logging/logger';
import { createLocalServer } from '../../src/server/local-server';
import { expectFreeOfSecrets } from '../support/secret-leaks';

/*
 * bootAgent with MCD_CONFIG_SOURCE (the sequence every entry point runs): the store's variables configure the agent,
 * the log says how many came from it, and health lists the source and the names, never the values.
 */
const STORE_SECRET = 'store-signing-Hd72Ks';

describe('bootAgent with MCD_CONFIG_SOURCE', () => {
  let fake: FakeAws;
  beforeAll(async () => {
    fake = await startFakeAws();
    fake.parameters.set('/artemis/test/MCD_LOG_LEVEL', 'debug');
    fake.parameters.set('/artemis/test/MCD_STORAGE_PREFIX', 'from-ssm');
    fake.parameters.set('/artemis/test/MCD_STORAGE_SIGNING_SECRET', STORE_SECRET);
    fake.parameters.set('/artemis/test/MCD_AGENT_WRAPPER_TYPE', 'PARAMETER_STORE');
  });
  afterAll(() => fake.close());

  it('configures the agent from the store; health shows the source and the names only', async () => {
    // Prepare
    const logs: Record<string, unknown>[] = [];
    const env: Record<string, string | undefined> = {
      MCD_CONFIG_SOURCE: 'ssm:/artemis/test/',
      MCD_STORAGE: 'FILESYSTEM',
      MCD_AGENT_WRAPPER_TYPE: 'TERRAFORM',
    };

    // Act
    const agent = await bootAgent({
      env,
      clients: { aws: fakeAwsClients(fake) },
      createAgent: (config) =>
        createAgent({ config, env, logger: createLogger(config.logLevel, (record) => logs.push(record)) }),
      fail: (line) => {
        throw new Error(line);
      },
    });
    const server = createLocalServer(agent);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const health = (await (await fetch(`http://127.0.0.1:${port}/api/v1/test/health`)).json()) as {
      env: Record<string, string>;
      config_source: unknown;
    };
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await agent.close();

    // Assess
    expect(agent.config.logLevel).toBe('debug');
    expect(agent.config.storage.prefix).toBe('from-ssm');
    expect(agent.config.remoteOps.wrapperType).toBe('TERRAFORM');
    expect(health.config_source).toEqual({
      source: 'ssm:/artemis/test/',
      variables: ['MCD_LOG_LEVEL', 'MCD_STORAGE_PREFIX', 'MCD_STORAGE_SIGNING_SECRET'],
    });
    expect(health.env).toMatchObject({ MCD_CONFIG_SOURCE: 'ssm:/artemis/test/', MCD_AGENT_WRAPPER_TYPE: 'TERRAFORM' });
    for (const name of ['MCD_LOG_LEVEL', 'MCD_STORAGE_PREFIX', 'MCD_STORAGE_SIGNING_SECRET']) {
      expect(health.env).not.toHaveProperty(name);
    }
    expect(JSON.stringify(health)).not.toContain('from-ssm');
    expect(logs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          level: 'info',
          msg: 'Configuration source ssm:/artemis/test/: 3 variables applied (MCD_LOG_LEVEL, MCD_STORAGE_PREFIX, MCD_STORAGE_SIGNING_SECRET); 1 variable left as the environment sets them (MCD_AGENT_WRAPPER_TYPE)',
        }),
      ]),
    );
    expectFreeOfSecrets([health, logs], [STORE_SECRET]);
  });

  it('a store that cannot be read is the one start-up line', async () => {
    // Prepare
    fake.denied.add('/artemis/test/');
    const env: Record<string, string | undefined> = { MCD_CONFIG_SOURCE: 'ssm:/artemis/test/' };

    // Act
    const failed = await bootAgent({
      env,
      clients: { aws: { ...fakeAwsClients(fake), maxAttempts: 1 } },
      createAgent: () => {
        throw new Error('not reached');
      },
      fail: (line) => {
        throw new Error(line);
      },
    }).catch((error: Error) => error.message);

    // Assess
    expect(failed).toBe(
      'MCD_CONFIG_SOURCE ssm:/artemis/test/: cannot read AWS SSM Parameter Store: AccessDeniedException: User is not authorized to perform ssm:GetParametersByPath on /artemis/test/',
    );
  });
});
