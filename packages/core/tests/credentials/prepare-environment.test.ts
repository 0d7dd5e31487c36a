import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeAws, fakeAwsClients, selfSignedCertificate, startFakeAws } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/config';
import { prepareEnvironment } from '../../src/credentials/prepare-environment';
import { SelfHostedCredentialsResolver } from '../../src/credentials/self-hosted-resolver';
import { createLogger } from '../../src/logging/logger';

describe('prepareEnvironment: MCD_ADDITIONAL_ENV_VARS', () => {
  it('applies scalar entries before the configuration is parsed, never overriding a set variable', async () => {
    // Prepare
    const env: Record<string, string | undefined> = {
      MCD_OPERATION_TIMEOUT_SECONDS: '60',
      MCD_ADDITIONAL_ENV_VARS: JSON.stringify({
        MCD_OPERATION_TIMEOUT_SECONDS: 5,
        MCD_HTTP_ALLOW_LOOPBACK: true,
        MCD_CLIENT_CACHE_EXPIRATION_SECONDS: '7',
        MCD_NESTED: { a: 1 },
        MCD_NOTHING: null,
      }),
    };

    // Act
    const { notes } = await prepareEnvironment(env);
    const config = loadConfig(env);

    // Assess
    expect(env).toMatchObject({ MCD_HTTP_ALLOW_LOOPBACK: 'true', MCD_CLIENT_CACHE_EXPIRATION_SECONDS: '7' });
    expect(env.MCD_NESTED).toBeUndefined();
    expect(config.operationTimeoutSeconds).toBe(60);
    expect(config.network.allowLoopback).toBe(true);
    expect(config.clientCache.ttlSeconds).toBe(7);
    expect(notes).toEqual([
      'MCD_ADDITIONAL_ENV_VARS applied: MCD_HTTP_ALLOW_LOOPBACK, MCD_CLIENT_CACHE_EXPIRATION_SECONDS',
      'MCD_ADDITIONAL_ENV_VARS skipped non-scalar values: MCD_NESTED, MCD_NOTHING',
    ]);
  });

  it.each([
    ['{"MCD_A": "x"', 'MCD_ADDITIONAL_ENV_VARS is not valid JSON; ignored'],
    ['["MCD_A"]', 'MCD_ADDITIONAL_ENV_VARS is not a JSON object; ignored'],
  ])('ignores %s with a note, without throwing', async (value, note) => {
    // Prepare
    const env: Record<string, string | undefined> = { MCD_ADDITIONAL_ENV_VARS: value };

    // Act
    const { notes } = await prepareEnvironment(env);

    // Assess
    expect(notes).toEqual([note]);
    expect(Object.keys(env)).toEqual(['MCD_ADDITIONAL_ENV_VARS']);
  });
});

describe('prepareEnvironment: MCD_AWS_CA_BUNDLE_SECRET_NAME', () => {
  let tls: { key: string; cert: string };
  let secretsManager: FakeAws;
  let httpsAws: FakeAws;
  let tempFolder: string;
  beforeAll(async () => {
    tls = selfSignedCertificate();
    // Secrets Manager holds the bundle; a second AWS endpoint speaks HTTPS with a certificate only the bundle trusts.
    [secretsManager, httpsAws] = await Promise.all([startFakeAws(), startFakeAws(tls)]);
    secretsManager.secrets.set('agent/ca-bundle', tls.cert);
    secretsManager.secrets.set('agent/not-a-bundle', '{"hello": "world"}');
    httpsAws.secrets.set('prod/db', JSON.stringify({ connect_args: { host: 'behind-proxy' } }));
    tempFolder = mkdtempSync(join(tmpdir(), 'artemis-ca-'));
  });
  afterAll(async () => {
    await Promise.all([secretsManager.close(), httpsAws.close()]);
    rmSync(tempFolder, { recursive: true, force: true });
  });

  const fetchThroughProxy = (env: Record<string, string | undefined>) =>
    new SelfHostedCredentialsResolver({
      ttlSeconds: 0,
      logger: createLogger('silent'),
      env,
      clients: { aws: { ...fakeAwsClients(httpsAws), maxAttempts: 1 } },
    }).resolve({ self_hosted_credentials_type: 'aws_secrets_manager', aws_secret: 'prod/db' });

  it('writes the PEM under MCD_TEMP_FOLDER (0600), names it in AWS_CA_BUNDLE, and the AWS clients trust it', async () => {
    // Prepare
    const env: Record<string, string | undefined> = {
      MCD_AWS_CA_BUNDLE_SECRET_NAME: 'agent/ca-bundle',
      MCD_TEMP_FOLDER: tempFolder,
    };
    const before = await fetchThroughProxy({}).then(
      () => 'trusted',
      (error: Error) => error.message,
    );

    // Act
    const { notes } = await prepareEnvironment(env, { aws: fakeAwsClients(secretsManager) });
    const after = await fetchThroughProxy(env);

    // Assess
    const path = join(tempFolder, 'ca_bundle', 'aws_ca_bundle.pem');
    expect(env.AWS_CA_BUNDLE).toBe(path);
    expect(readFileSync(path, 'utf8')).toBe(tls.cert);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(notes).toEqual([expect.stringMatching(/^AWS CA bundle from agent\/ca-bundle installed at /)]);
    expect(before).toMatch(/certificate/i);
    expect(after).toEqual({ connect_args: { host: 'behind-proxy' } });
  });

  it.each([
    [
      'agent/missing',
      "MCD_AWS_CA_BUNDLE_SECRET_NAME: cannot fetch agent/missing from AWS Secrets Manager: ResourceNotFoundException: Secrets Manager can't find the specified secret.",
    ],
    [
      'agent/not-a-bundle',
      'MCD_AWS_CA_BUNDLE_SECRET_NAME: secret agent/not-a-bundle does not hold a PEM certificate bundle',
    ],
  ])('a bundle that cannot be installed (%s) stops start-up with a ConfigError', async (secret, message) => {
    // Prepare
    const env: Record<string, string | undefined> = {
      MCD_AWS_CA_BUNDLE_SECRET_NAME: secret,
      MCD_TEMP_FOLDER: tempFolder,
    };

    // Act
    const preparing = prepareEnvironment(env, { aws: fakeAwsClients(secretsManager) });

    // Assess
    await expect(preparing).rejects.toThrow(new ConfigError(message));
    expect(env.AWS_CA_BUNDLE).toBeUndefined();
  });
});
