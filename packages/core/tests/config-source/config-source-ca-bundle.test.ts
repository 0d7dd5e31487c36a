import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeAws, selfSignedCertificate, startFakeAws } from '@artemis/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { prepareEnvironment } from '../../src/credentials/prepare-environment';

/*
 * The configuration source is read after the AWS CA bundle is installed, with the agent's AWS base configuration:
 * an SSM endpoint behind a TLS-inspecting proxy (here: an HTTPS fake whose certificate only the bundle trusts) is
 * readable once MCD_AWS_CA_BUNDLE_SECRET_NAME is set. Each service's endpoint comes from the SDK's own variables
 * (AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL_SSM), as on a deployed function.
 */
describe('MCD_CONFIG_SOURCE behind a TLS-inspecting proxy', () => {
  let secretsManager: FakeAws;
  let proxiedSsm: FakeAws;
  let tempFolder: string;
  const saved = { ...process.env };
  beforeAll(async () => {
    const tls = selfSignedCertificate();
    [secretsManager, proxiedSsm] = await Promise.all([startFakeAws(), startFakeAws(tls)]);
    secretsManager.secrets.set('agent/ca-bundle', tls.cert);
    proxiedSsm.parameters.set('/artemis/tls/MCD_LOG_LEVEL', 'warn');
    tempFolder = mkdtempSync(join(tmpdir(), 'artemis-config-source-ca-'));
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = secretsManager.url;
    process.env.AWS_ENDPOINT_URL_SSM = proxiedSsm.url;
  });
  afterEach(() => {
    proxiedSsm.calls.length = 0;
  });
  afterAll(async () => {
    for (const name of ['AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_ENDPOINT_URL_SSM']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    await Promise.all([secretsManager.close(), proxiedSsm.close()]);
    rmSync(tempFolder, { recursive: true, force: true });
  });

  const clients = {
    aws: {
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDAGENT', secretAccessKey: 'agent-secret' },
      maxAttempts: 1,
    },
  };

  it('is refused without the bundle (the proxy is not trusted)', async () => {
    // Prepare
    const env: Record<string, string | undefined> = { MCD_CONFIG_SOURCE: 'ssm:/artemis/tls/' };

    // Act
    const failure = await prepareEnvironment(env, clients).then(
      () => 'read',
      (error: Error) => error.message,
    );

    // Assess
    expect(failure).toMatch(
      /^MCD_CONFIG_SOURCE ssm:\/artemis\/tls\/: cannot read AWS SSM Parameter Store: .*certificate/,
    );
    expect(env.MCD_LOG_LEVEL).toBeUndefined();
  });

  it('is read through the bundle MCD_AWS_CA_BUNDLE_SECRET_NAME installs first', async () => {
    // Prepare
    const env: Record<string, string | undefined> = {
      MCD_AWS_CA_BUNDLE_SECRET_NAME: 'agent/ca-bundle',
      MCD_TEMP_FOLDER: tempFolder,
      MCD_CONFIG_SOURCE: 'ssm:/artemis/tls/',
    };

    // Act
    const { notes } = await prepareEnvironment(env, clients);

    // Assess
    expect(env.MCD_LOG_LEVEL).toBe('warn');
    expect(notes).toEqual([
      expect.stringMatching(/^AWS CA bundle from agent\/ca-bundle installed at /),
      'Configuration source ssm:/artemis/tls/: 1 variable applied (MCD_LOG_LEVEL)',
    ]);
    expect(proxiedSsm.calls.map((call) => call.operation)).toEqual(['AmazonSSM.GetParametersByPath']);
  });
});
