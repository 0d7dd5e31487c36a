import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ASSUMED, type FakeAws, fakeAwsClients, selfSignedCertificate, startFakeAws } from '@artemis/testkit';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { assumeRoleProvider } from '../../src/aws/assume-role';
import { awsClientConfig } from '../../src/aws/aws-client-config';

/*
 * The agent's one AWS base configuration, exercised through the real SDK (Secrets Manager and STS clients) against
 * the HTTP-level fake AWS of @artemis/testkit, served over HTTPS with a certificate only the CA bundle trusts.
 */
const ROLE = 'arn:aws:iam::123456789012:role/reader';

let aws: FakeAws;
let bundlePath: string;
let folder: string;

beforeAll(async () => {
  const tls = selfSignedCertificate();
  aws = await startFakeAws(tls);
  aws.secrets.set('prod/db', '{"password": "s3cr3t"}');
  folder = mkdtempSync(join(tmpdir(), 'artemis-aws-config-'));
  bundlePath = join(folder, 'aws_ca_bundle.pem');
  writeFileSync(bundlePath, tls.cert);
});
afterAll(async () => {
  await aws.close();
  rmSync(folder, { recursive: true, force: true });
});
beforeEach(() => {
  aws.calls.length = 0;
});

/** One GetSecretValue through a real client built from the configuration. */
async function getSecret(config: Record<string, unknown>): Promise<string | undefined> {
  const client = new SecretsManagerClient({ ...config, maxAttempts: 1 });
  try {
    return (await client.send(new GetSecretValueCommand({ SecretId: 'prod/db' }))).SecretString;
  } finally {
    client.destroy();
  }
}

describe('awsClientConfig', () => {
  it('trusts the CA bundle named in AWS_CA_BUNDLE, for the service and for STS, and signs with the assumed role', async () => {
    // Prepare
    const env = { AWS_CA_BUNDLE: bundlePath, AWS_REGION: 'eu-west-3' };

    // Act
    const config = await awsClientConfig({
      assumeRole: { roleArn: ROLE, externalId: 'ext-7' },
      overrides: fakeAwsClients(aws),
      env,
    });
    const secret = await getSecret(config);

    // Assess
    expect(secret).toBe('{"password": "s3cr3t"}');
    expect(aws.calls.map((call) => call.operation)).toEqual(['sts.AssumeRole', 'secretsmanager.GetSecretValue']);
    const [assume, fetch] = aws.calls;
    expect(assume?.input).toEqual({
      Action: 'AssumeRole',
      Version: '2011-06-15',
      RoleArn: ROLE,
      ExternalId: 'ext-7',
      RoleSessionName: expect.stringMatching(/^mcd_[a-z]{5}_\d+(\.\d+)?$/),
    });
    expect(assume?.authorization).toContain('Credential=AKIDAGENT/');
    expect(fetch?.authorization).toContain(`Credential=${ASSUMED.accessKeyId}/`);
    expect(fetch?.securityToken).toBe(ASSUMED.sessionToken);
  });

  it('refuses the same endpoints without the bundle, before STS answers anything', async () => {
    // Act
    const failure = await awsClientConfig({
      assumeRole: { roleArn: ROLE },
      overrides: fakeAwsClients(aws),
      env: { AWS_REGION: 'eu-west-3' },
    }).then(
      () => 'assumed',
      (error: Error) => error.message,
    );

    // Assess
    expect(failure).toMatch(/self[- ]signed certificate/i);
    expect(aws.calls).toEqual([]);
  });

  it('assumes the role from the static keys when both are given', async () => {
    // Act
    const config = await awsClientConfig({
      credentials: { accessKeyId: 'AKIDSTATIC', secretAccessKey: 'static-secret' },
      assumeRole: { roleArn: ROLE },
      overrides: { endpoint: aws.url },
      env: { AWS_CA_BUNDLE: bundlePath, AWS_REGION: 'us-east-1' },
    });
    await getSecret(config);

    // Assess
    expect(aws.calls[0]?.authorization).toContain('Credential=AKIDSTATIC/');
    expect(aws.calls[0]?.input).not.toHaveProperty('ExternalId');
    expect(aws.calls[1]?.authorization).toContain(`Credential=${ASSUMED.accessKeyId}/`);
  });

  it.each([
    ['the request region first', { region: 'ap-south-1' }, { AWS_REGION: 'eu-west-1' }, 'ap-south-1'],
    ['AWS_REGION', {}, { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-2' }, 'eu-west-1'],
    ['AWS_DEFAULT_REGION, which boto3 reads', {}, { AWS_DEFAULT_REGION: 'eu-west-2' }, 'eu-west-2'],
    ['the fallback last', { fallbackRegion: 'us-east-1' }, {}, 'us-east-1'],
  ])('chooses the region: %s', async (_case, options, env, region) => {
    // Act
    const config = await awsClientConfig({
      ...options,
      credentials: { accessKeyId: 'AKIDSTATIC', secretAccessKey: 'static-secret' },
      overrides: { endpoint: aws.url },
      env: { AWS_CA_BUNDLE: bundlePath, ...env },
    });
    await getSecret(config);

    // Assess
    expect(config.region).toBe(region);
    expect(aws.calls[0]?.authorization).toContain(`/${region}/secretsmanager/aws4_request`);
  });
});

describe('assumeRoleProvider', () => {
  let plain: FakeAws;
  beforeAll(async () => {
    plain = await startFakeAws();
  });
  afterAll(() => plain.close());

  it('renews the credentials once they are within five minutes of expiring, not before', async () => {
    // Prepare: the fake's credentials expire at 2099-01-01T00:00:00Z; the clock is moved, not waited for.
    let now = Date.parse('2098-12-31T23:00:00Z');
    const provider = await assumeRoleProvider({ roleArn: ROLE, stsConfig: fakeAwsClients(plain), now: () => now });
    await provider();
    const beforeMargin = plain.calls.length;

    // Act
    now = Date.parse('2098-12-31T23:56:00Z');
    const renewed = await provider();

    // Assess
    expect(beforeMargin).toBe(1);
    expect(plain.calls.map((call) => call.operation)).toEqual(['sts.AssumeRole', 'sts.AssumeRole']);
    expect(renewed.accessKeyId).toBe(ASSUMED.accessKeyId);
  });
});
