import { ASSUMED, type FakeAws, fakeAwsClients, startFakeAws } from '@artemis/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ECHO_PATH, echoConnectors, echoRequest } from '../support/echo-connector';
import { expectFreeOfSecrets } from '../support/secret-leaks';
import { startTestAgent, type TestAgent } from '../support/test-agent';

const SM_PASSWORD = 'sm-pw-Hq2Vb7';
const SSM_PASSWORD = 'ssm-pw-Kd8Wn3';
const KMS_PASSWORD = 'kms-pw-Pt5Ry1';
const SECRETS = [SM_PASSWORD, SSM_PASSWORD, KMS_PASSWORD];
const CIPHERTEXT = Buffer.from('kms-ciphertext-blob-0001').toString('base64');
const ENV_CIPHERTEXT = 'ARTEMIS_TEST_KMS_CIPHERTEXT';

const document = (password: string) => JSON.stringify({ connect_args: { host: 'db.aws', user: 'svc', password } });

describe('AWS credential sources through the execute route, real SDK clients against an HTTP fake', () => {
  let aws: FakeAws;
  let agent: TestAgent;
  beforeAll(async () => {
    aws = await startFakeAws();
    aws.secrets.set('prod/db', document(SM_PASSWORD));
    aws.parameters.set('/prod/db', document(SSM_PASSWORD));
    aws.secrets.set('prod/encrypted', CIPHERTEXT);
    aws.ciphertexts.set(CIPHERTEXT, document(KMS_PASSWORD));
    process.env[ENV_CIPHERTEXT] = CIPHERTEXT;
    // The cache is off here: every request reaches the fake (the cache has its own suite).
    agent = await startTestAgent(
      { MCD_EXTERNAL_CREDENTIALS_CACHE_TTL_SECONDS: '0' },
      { connectors: echoConnectors, selfHostedCredentials: { aws: { ...fakeAwsClients(aws), maxAttempts: 3 } } },
    );
  });
  beforeEach(() => {
    aws.calls.length = 0;
    aws.throttle.remaining = 0;
  });
  afterAll(async () => {
    expectFreeOfSecrets(agent.logs, SECRETS);
    await agent.close();
    await aws.close();
    delete process.env[ENV_CIPHERTEXT];
  });

  const fetchEcho = async (envelope: Record<string, unknown>) => {
    const response = await agent.post(ECHO_PATH, echoRequest(envelope));
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('aws_secrets_manager: GetSecretValue in the envelope region, merged with connect_args', async () => {
    // Act
    const { status, body } = await fetchEcho({
      self_hosted_credentials_type: 'aws_secrets_manager',
      aws_secret: 'prod/db',
      aws_region: 'eu-west-3',
      connect_args: { port: 5439, host: 'ignored' },
    });

    // Assess
    expect(status).toBe(200);
    expect(body.__mcd_result__).toEqual({
      connect_args: { host: 'db.aws', user: 'svc', password: SM_PASSWORD, port: 5439 },
    });
    expect(aws.calls).toHaveLength(1);
    expect(aws.calls[0]).toMatchObject({ operation: 'secretsmanager.GetSecretValue', input: { SecretId: 'prod/db' } });
    expect(aws.calls[0]?.authorization).toContain('/eu-west-3/secretsmanager/aws4_request');
  });

  it('aws_secrets_manager with assumable_role: STS AssumeRole (with external_id), then the secret with the assumed session', async () => {
    // Act
    const { status, body } = await fetchEcho({
      self_hosted_credentials_type: 'aws_secrets_manager',
      aws_secret: 'prod/db',
      aws_region: 'us-east-1',
      assumable_role: 'arn:aws:iam::123456789012:role/reader',
      external_id: 'ext-42',
    });

    // Assess
    expect(status).toBe(200);
    expect(body.__mcd_result__).toMatchObject({ connect_args: { password: SM_PASSWORD } });
    expect(aws.calls.map((call) => call.operation)).toEqual(['sts.AssumeRole', 'secretsmanager.GetSecretValue']);
    expect(aws.calls[0]?.input).toMatchObject({
      RoleArn: 'arn:aws:iam::123456789012:role/reader',
      ExternalId: 'ext-42',
    });
    expect(aws.calls[0]?.authorization).toContain('Credential=AKIDAGENT/');
    expect(aws.calls[1]?.authorization).toContain(`Credential=${ASSUMED.accessKeyId}/`);
    expect(aws.calls[1]?.securityToken).toBe(ASSUMED.sessionToken);
  });

  it('aws_ssm_parameter: GetParameter WithDecryption', async () => {
    // Act
    const { status, body } = await fetchEcho({
      self_hosted_credentials_type: 'aws_ssm_parameter',
      ssm_parameter: '/prod/db',
      aws_region: 'us-east-1',
    });

    // Assess
    expect(status).toBe(200);
    expect(body.__mcd_result__).toEqual({ connect_args: { host: 'db.aws', user: 'svc', password: SSM_PASSWORD } });
    expect(aws.calls[0]).toMatchObject({
      operation: 'AmazonSSM.GetParameter',
      input: { Name: '/prod/db', WithDecryption: true },
    });
  });

  it.each([
    [
      'aws_secrets_manager',
      { aws_secret: 'prod/encrypted' },
      ['secretsmanager.GetSecretValue', 'TrentService.Decrypt'],
    ],
    ['env_var', { env_var_name: ENV_CIPHERTEXT }, ['TrentService.Decrypt']],
  ])(
    '%s with decryption_service_type kms: the fetched string is decrypted with the key',
    async (type, fields, operations) => {
      // Act
      const { status, body } = await fetchEcho({
        self_hosted_credentials_type: type,
        ...fields,
        aws_region: 'us-east-1',
        decryption_service_type: 'kms',
        kms_key_id: 'alias/artemis',
      });

      // Assess
      expect(status).toBe(200);
      expect(body.__mcd_result__).toEqual({ connect_args: { host: 'db.aws', user: 'svc', password: KMS_PASSWORD } });
      expect(aws.calls.map((call) => call.operation)).toEqual(operations);
      expect(aws.calls.at(-1)?.input).toEqual({ CiphertextBlob: CIPHERTEXT, KeyId: 'alias/artemis' });
    },
  );

  it('a throttled call is retried by the SDK and succeeds', async () => {
    // Prepare
    aws.throttle.remaining = 2;

    // Act
    const { status, body } = await fetchEcho({
      self_hosted_credentials_type: 'aws_secrets_manager',
      aws_secret: 'prod/db',
      aws_region: 'us-east-1',
    });

    // Assess
    expect(status).toBe(200);
    expect(body.__mcd_result__).toMatchObject({ connect_args: { password: SM_PASSWORD } });
    expect(aws.calls).toHaveLength(3);
  });

  it.each([
    [
      'a missing secret',
      { self_hosted_credentials_type: 'aws_secrets_manager', aws_secret: 'prod/nope' },
      "Failed to fetch credentials from AWS Secrets Manager: ResourceNotFoundException: Secrets Manager can't find the specified secret.",
      'NotFound',
    ],
    [
      'a denied secret',
      { self_hosted_credentials_type: 'aws_secrets_manager', aws_secret: 'prod/denied' },
      'Failed to fetch credentials from AWS Secrets Manager: AccessDeniedException: User is not authorized to access prod/denied',
      'Permissions',
    ],
    [
      'a missing parameter',
      { self_hosted_credentials_type: 'aws_ssm_parameter', ssm_parameter: '/prod/nope' },
      'Failed to fetch credentials from AWS SSM Parameter Store: ParameterNotFound: UnknownError',
      'NotFound',
    ],
    [
      'a denied role',
      {
        self_hosted_credentials_type: 'aws_secrets_manager',
        aws_secret: 'prod/db',
        assumable_role: 'arn:aws:iam::123456789012:role/denied',
      },
      'Failed to fetch credentials from AWS Secrets Manager: AccessDenied: Not authorized to perform sts:AssumeRole on arn:aws:iam::123456789012:role/denied',
      'Permissions',
    ],
    [
      'a ciphertext KMS refuses',
      {
        self_hosted_credentials_type: 'aws_secrets_manager',
        aws_secret: 'prod/encrypted',
        decryption_service_type: 'kms',
        kms_key_id: 'alias/other',
        denyCiphertext: true,
      },
      'Failed to decrypt credentials using KMS: AccessDeniedException: The ciphertext refers to a key you cannot use',
      'Permissions',
    ],
    [
      // env_var answers one error for whatever went wrong with the value, so it never tells that a variable exists.
      'an env_var ciphertext KMS refuses',
      {
        self_hosted_credentials_type: 'env_var',
        env_var_name: ENV_CIPHERTEXT,
        decryption_service_type: 'kms',
        kms_key_id: 'alias/other',
        denyCiphertext: true,
      },
      `No usable credentials in environment variable: ${ENV_CIPHERTEXT} (unset, not allowed, or not a JSON object)`,
      'NotFound',
    ],
    [
      'a value that is not base64 under KMS',
      {
        self_hosted_credentials_type: 'aws_secrets_manager',
        aws_secret: 'prod/db',
        decryption_service_type: 'kms',
        kms_key_id: 'alias/artemis',
      },
      'Failed to decode base64 encrypted credentials',
      undefined,
    ],
  ])('%s is HTTP 400 naming the store and the cause', async (_case, rawEnvelope, message, errorType) => {
    // Prepare
    const { denyCiphertext, ...envelope } = rawEnvelope as Record<string, unknown>;
    aws.denied.clear();
    aws.denied.add('prod/denied').add('arn:aws:iam::123456789012:role/denied');
    if (denyCiphertext) aws.denied.add(CIPHERTEXT);

    // Act
    const { status, body } = await fetchEcho({ aws_region: 'us-east-1', ...envelope });

    // Assess
    expect(status).toBe(400);
    expect(body).toEqual({
      __mcd_error__: `Failed to read self-hosted credentials: ${message}`,
      __mcd_exception__: `SelfHostedCredentialsError: Failed to read self-hosted credentials: ${message}`,
      __mcd_stack_trace__: expect.any(Array),
      ...(errorType ? { __mcd_error_type__: errorType } : {}),
      __mcd_trace_id__: 'trace-1',
    });
    expectFreeOfSecrets(body, SECRETS);
    aws.denied.clear();
  });

  it('throttling that outlasts the retries is a clear Throttled error', async () => {
    // Prepare
    aws.throttle.remaining = 10;

    // Act
    const { status, body } = await fetchEcho({
      self_hosted_credentials_type: 'aws_ssm_parameter',
      ssm_parameter: '/prod/db',
      aws_region: 'us-east-1',
    });

    // Assess
    expect(status).toBe(400);
    expect(body).toMatchObject({
      __mcd_error__:
        'Failed to read self-hosted credentials: Failed to fetch credentials from AWS SSM Parameter Store: ThrottlingException: Rate exceeded',
      __mcd_error_type__: 'Throttled',
    });
    expect(aws.calls).toHaveLength(3);
  });
});
