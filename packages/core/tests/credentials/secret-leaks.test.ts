import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeAws, fakeAwsClients, startFakeAws } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ECHO_PATH, echoConnectors, echoRequest } from '../support/echo-connector';
import { expectFreeOfSecrets } from '../support/secret-leaks';
import { startTestAgent, type TestAgent } from '../support/test-agent';

/*
 * SPEC §9 "Credentials are never logged": every way a self-hosted secret could escape — log lines (debug level),
 * error envelopes (message, exception, stack trace) and the health output — is exercised, then greped.
 */
const ENV_PASSWORD = 'leak-env-pw-Aq1Zw2';
const MCD_PASSWORD = 'leak-mcd-pw-Sx3Ec4';
const FILE_PASSWORD = 'leak-file-pw-Dr5Fv6';
const SM_PASSWORD = 'leak-sm-pw-Tg7Yh8';
const BROKEN_PASSWORD = 'leak-broken-pw-Uj9Ik0';
const INLINE_PASSWORD = 'leak-inline-pw-Ol1Pm2';
const SECRETS = [ENV_PASSWORD, MCD_PASSWORD, FILE_PASSWORD, SM_PASSWORD, BROKEN_PASSWORD, INLINE_PASSWORD];

const doc = (password: string) => JSON.stringify({ connect_args: { host: 'h', user: 'u', password } });

describe('self-hosted secrets never leak', () => {
  let aws: FakeAws;
  let agent: TestAgent;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'artemis-leak-'));
    writeFileSync(join(dir, 'db.json'), doc(FILE_PASSWORD));
    writeFileSync(join(dir, 'broken.json'), `{"password": "${BROKEN_PASSWORD}", oops}`);
    process.env.ARTEMIS_LEAK_DB = doc(ENV_PASSWORD);
    // An MCD_* name without a sensitive word: the health output lists such variables.
    process.env.MCD_WAREHOUSE_CONFIG = doc(MCD_PASSWORD);
    process.env.MCD_BROKEN_CONFIG = `{"password": "${BROKEN_PASSWORD}"`;
    process.env.ARTEMIS_LEAK_NOT_JSON = `password: ${BROKEN_PASSWORD}`;
    aws = await startFakeAws();
    aws.secrets.set('prod/db', doc(SM_PASSWORD));
    aws.secrets.set('prod/plain', `user=u password=${BROKEN_PASSWORD}`);
    agent = await startTestAgent(
      { MCD_EXTERNAL_CREDENTIALS_CACHE_TTL_SECONDS: '0', MCD_CREDENTIALS_FILE_DIRS: dir },
      { connectors: echoConnectors, selfHostedCredentials: { aws: fakeAwsClients(aws) } },
    );
  });
  afterAll(async () => {
    await agent.close();
    await aws.close();
    rmSync(dir, { recursive: true, force: true });
    for (const name of ['ARTEMIS_LEAK_DB', 'MCD_WAREHOUSE_CONFIG', 'MCD_BROKEN_CONFIG', 'ARTEMIS_LEAK_NOT_JSON']) {
      delete process.env[name];
    }
  });

  it('successful fetches log only the provider and the cache status', async () => {
    // Act
    const envelopes = [
      { self_hosted_credentials_type: 'env_var', env_var_name: 'ARTEMIS_LEAK_DB' },
      { self_hosted_credentials_type: 'env_var', env_var_name: 'MCD_WAREHOUSE_CONFIG' },
      { self_hosted_credentials_type: 'file', file_path: join(dir, 'db.json') },
      { self_hosted_credentials_type: 'aws_secrets_manager', aws_secret: 'prod/db', aws_region: 'us-east-1' },
    ];
    const statuses = [];
    for (const envelope of envelopes) statuses.push((await agent.post(ECHO_PATH, echoRequest(envelope))).status);

    // Assess
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(agent.logs.filter((line) => String(line.msg).startsWith('Loaded external credentials'))).toHaveLength(4);
    expectFreeOfSecrets(agent.logs, SECRETS);
  });

  it('error envelopes (message, exception, stack trace) never quote the secret that failed to parse or validate', async () => {
    // Prepare
    const failing = [
      { self_hosted_credentials_type: 'env_var', env_var_name: 'ARTEMIS_LEAK_NOT_JSON' },
      { self_hosted_credentials_type: 'env_var', env_var_name: 'MCD_BROKEN_CONFIG' },
      { self_hosted_credentials_type: 'file', file_path: join(dir, 'broken.json') },
      { self_hosted_credentials_type: 'aws_secrets_manager', aws_secret: 'prod/plain', aws_region: 'us-east-1' },
      {
        self_hosted_credentials_type: 'aws_secrets_manager',
        aws_secret: 'prod/plain',
        aws_region: 'us-east-1',
        decryption_service_type: 'kms',
        kms_key_id: 'k',
      },
      {
        self_hosted_credentials_type: 'env_var',
        env_var_name: 'ARTEMIS_LEAK_DB',
        decryption_service_type: 'kms',
        kms_key_id: 'k',
      },
    ];

    // Act
    const bodies: unknown[] = [];
    for (const envelope of failing) {
      const response = await agent.post(ECHO_PATH, echoRequest(envelope));
      expect(response.status).toBe(400);
      bodies.push(await response.json());
    }
    const validation = await agent.post('/api/v1/self-hosted-credentials/validate/echo', {
      credentials: { self_hosted_credentials_type: 'env_var', env_var_name: 'ARTEMIS_LEAK_NOT_JSON' },
    });
    bodies.push(await validation.json());

    // Assess
    expect(bodies.map((body) => (body as Record<string, string>).__mcd_error__)).toEqual([
      'Failed to read self-hosted credentials: No usable credentials in environment variable: ARTEMIS_LEAK_NOT_JSON (unset, not allowed, or not a JSON object)',
      'Failed to read self-hosted credentials: No usable credentials in environment variable: MCD_BROKEN_CONFIG (unset, not allowed, or not a JSON object)',
      `Failed to read self-hosted credentials: Invalid JSON in credentials file: ${join(dir, 'broken.json')}`,
      'Failed to read self-hosted credentials: Invalid JSON in AWS Secrets Manager secret: prod/plain',
      'Failed to read self-hosted credentials: Failed to decode base64 encrypted credentials',
      'Failed to read self-hosted credentials: No usable credentials in environment variable: ARTEMIS_LEAK_DB (unset, not allowed, or not a JSON object)',
      'Failed to read self-hosted credentials: No usable credentials in environment variable: ARTEMIS_LEAK_NOT_JSON (unset, not allowed, or not a JSON object)',
    ]);
    expectFreeOfSecrets(bodies, SECRETS);
    expectFreeOfSecrets(agent.logs, SECRETS);
  });

  it('inline credentials are not logged either', async () => {
    // Act
    const response = await agent.post(ECHO_PATH, echoRequest({ connect_args: { password: INLINE_PASSWORD } }));

    // Assess
    expect(response.status).toBe(200);
    expectFreeOfSecrets(agent.logs, SECRETS);
  });

  it('the health output shows credentials documents in MCD_* variables with their secrets redacted', async () => {
    // Act
    const response = await agent.get('/api/v1/test/health?full=false');
    const health = (await response.json()) as { env: Record<string, string> };

    // Assess
    expect(health.env.MCD_WAREHOUSE_CONFIG).toBe('{"connect_args":"__redacted__"}');
    expect(health.env.MCD_BROKEN_CONFIG).toBe('<invalid JSON: hidden>');
    expect(health.env.ARTEMIS_LEAK_DB).toBeUndefined();
    expectFreeOfSecrets(health, SECRETS);
    expectFreeOfSecrets(agent.logs, SECRETS);
  });
});
