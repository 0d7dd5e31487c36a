import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ECHO_PATH, echoConnectors, echoRequest } from '../support/echo-connector';
import { expectFreeOfSecrets } from '../support/secret-leaks';
import { startTestAgent, type TestAgent } from '../support/test-agent';

const PASSWORD = 'env-pw-Q7x9Lm2';
const FILE_PASSWORD = 'file-pw-Zr4Kt8';
const ENV_NAME = 'ARTEMIS_TEST_DB_CREDENTIALS';

describe('self-hosted credentials from env_var and file, through the execute route', () => {
  let agent: TestAgent;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'artemis-creds-'));
    writeFileSync(
      join(dir, 'db.json'),
      JSON.stringify({ connect_args: { host: 'file-host', user: 'file-user', password: FILE_PASSWORD } }),
    );
    writeFileSync(join(dir, 'broken.json'), `{"password": "${FILE_PASSWORD}"`);
    writeFileSync(join(dir, 'list.json'), JSON.stringify([FILE_PASSWORD]));
    mkdirSync(join(dir, 'subdir'));
    symlinkSync('/etc/hostname', join(dir, 'escape.json'));
    process.env[ENV_NAME] = JSON.stringify({
      connect_args: { host: 'db.internal', user: 'reader', password: PASSWORD },
    });
    process.env.ARTEMIS_TEST_NOT_JSON = `password=${PASSWORD}`;
    agent = await startTestAgent({ MCD_CREDENTIALS_FILE_DIRS: dir }, { connectors: echoConnectors });
  });
  afterAll(async () => {
    // Every line this suite logged, greped for the secrets it handled.
    expectFreeOfSecrets(agent.logs, [PASSWORD, FILE_PASSWORD]);
    await agent.close();
    delete process.env[ENV_NAME];
    delete process.env.ARTEMIS_TEST_NOT_JSON;
    rmSync(dir, { recursive: true, force: true });
  });

  it('env_var: the connector receives the fetched document merged with the request connect_args, fetched values winning', async () => {
    // Prepare
    const envelope = {
      self_hosted_credentials_type: 'env_var',
      env_var_name: ENV_NAME,
      connect_args: { host: 'request-host', port: 5432 },
    };

    // Act
    const response = await agent.post(ECHO_PATH, echoRequest(envelope));

    // Assess
    expect(response.status).toBe(200);
    await expect(response.json()).resolves.toEqual({
      __mcd_result__: { connect_args: { host: 'db.internal', user: 'reader', password: PASSWORD, port: 5432 } },
      __mcd_trace_id__: 'trace-1',
    });
  });

  it('file: reads the JSON document from disk; envelope-only keys never reach the connector', async () => {
    // Prepare
    const envelope = { self_hosted_credentials_type: 'file', file_path: join(dir, 'db.json'), note: 'rotated weekly' };

    // Act
    const response = await agent.post(ECHO_PATH, echoRequest(envelope));

    // Assess
    await expect(response.json()).resolves.toEqual({
      __mcd_result__: { connect_args: { host: 'file-host', user: 'file-user', password: FILE_PASSWORD } },
      __mcd_trace_id__: 'trace-1',
    });
  });

  it('ordinary credentials pass through untouched', async () => {
    // Act
    const response = await agent.post(ECHO_PATH, echoRequest({ connect_args: { host: 'plain' } }));

    // Assess
    await expect(response.json()).resolves.toEqual({
      __mcd_result__: { connect_args: { host: 'plain' } },
      __mcd_trace_id__: 'trace-1',
    });
  });

  it.each([
    [
      'a missing envelope field',
      { self_hosted_credentials_type: 'env_var' },
      'Missing expected environment variable name in credentials (env_var_name)',
      undefined,
    ],
    [
      'a mistyped envelope field',
      { self_hosted_credentials_type: 'file', file_path: 42 },
      'file_path: expected string, received number',
      undefined,
    ],
    [
      'a missing variable',
      { self_hosted_credentials_type: 'env_var', env_var_name: 'ARTEMIS_TEST_UNSET' },
      'No usable credentials in environment variable: ARTEMIS_TEST_UNSET (unset, not allowed, or not a JSON object)',
      'NotFound',
    ],
    [
      'a variable that is not JSON',
      { self_hosted_credentials_type: 'env_var', env_var_name: 'ARTEMIS_TEST_NOT_JSON' },
      'No usable credentials in environment variable: ARTEMIS_TEST_NOT_JSON (unset, not allowed, or not a JSON object)',
      'NotFound',
    ],
    [
      'a missing file',
      { self_hosted_credentials_type: 'file', file_path: '<dir>/missing.json' },
      'Missing expected credentials file: <dir>/missing.json',
      'NotFound',
    ],
    [
      'a file outside MCD_CREDENTIALS_FILE_DIRS',
      { self_hosted_credentials_type: 'file', file_path: '/etc/passwd' },
      'Credentials file is outside MCD_CREDENTIALS_FILE_DIRS: /etc/passwd',
      'Forbidden',
    ],
    [
      'a path that climbs out with ..',
      { self_hosted_credentials_type: 'file', file_path: '<dir>/../../etc/passwd' },
      'Credentials file is outside MCD_CREDENTIALS_FILE_DIRS: <dir>/../../etc/passwd',
      'Forbidden',
    ],
    [
      'a symbolic link inside the directory that points out of it',
      { self_hosted_credentials_type: 'file', file_path: '<dir>/escape.json' },
      'Credentials file is outside MCD_CREDENTIALS_FILE_DIRS: <dir>/escape.json',
      'Forbidden',
    ],
    [
      'the directory itself',
      { self_hosted_credentials_type: 'file', file_path: '<dir>' },
      'Credentials file is outside MCD_CREDENTIALS_FILE_DIRS: <dir>',
      'Forbidden',
    ],
    [
      'a path that is not a readable file',
      { self_hosted_credentials_type: 'file', file_path: '<dir>/subdir' },
      'Error reading credentials file: <dir>/subdir (not a regular file)',
      undefined,
    ],
    [
      'a file that is not JSON',
      { self_hosted_credentials_type: 'file', file_path: '<dir>/broken.json' },
      'Invalid JSON in credentials file: <dir>/broken.json',
      undefined,
    ],
    [
      'a document that is not an object',
      { self_hosted_credentials_type: 'file', file_path: '<dir>/list.json' },
      'Credentials in credentials file: <dir>/list.json must be a JSON object',
      undefined,
    ],
    [
      'an unknown source type',
      { self_hosted_credentials_type: 'vault9000' },
      'Invalid self hosted credentials type: vault9000. Supported types: env_var, file, aws_secrets_manager, aws_ssm_parameter, gcp_secret_manager, azure_key_vault',
      undefined,
    ],
    [
      'an unknown decryption service',
      { self_hosted_credentials_type: 'env_var', env_var_name: ENV_NAME, decryption_service_type: 'vault' },
      'decryption_service_type: Invalid decryption service type: vault. Supported types: kms',
      undefined,
    ],
    [
      'KMS decryption without a key',
      { self_hosted_credentials_type: 'env_var', env_var_name: ENV_NAME, decryption_service_type: 'kms' },
      'Missing expected KMS key in credentials (kms_key_id)',
      undefined,
    ],
  ])('%s is HTTP 400 naming the source and field', async (_case, rawEnvelope, message, errorType) => {
    // Prepare
    const envelope = JSON.parse(JSON.stringify(rawEnvelope).replaceAll('<dir>', dir));
    const expected = `Failed to read self-hosted credentials: ${message.replaceAll('<dir>', dir)}`;

    // Act
    const response = await agent.post(ECHO_PATH, echoRequest(envelope, 'trace-err'));

    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get('x-mcd-trace-id')).toBe('trace-err');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      __mcd_error__: expected,
      __mcd_exception__: `SelfHostedCredentialsError: ${expected}`,
      __mcd_stack_trace__: expect.any(Array),
      ...(errorType ? { __mcd_error_type__: errorType } : {}),
      __mcd_trace_id__: 'trace-err',
    });
    expectFreeOfSecrets(body, [PASSWORD, FILE_PASSWORD]);
  });

  it('env_var reads the agent environment given to createAgent when one is injected', async () => {
    // Prepare
    const injected = await startTestAgent(
      {},
      {
        connectors: echoConnectors,
        env: { ARTEMIS_INJECTED_ONLY: JSON.stringify({ connect_args: { host: 'injected' } }) },
      },
    );

    try {
      // Act
      const response = await injected.post(
        ECHO_PATH,
        echoRequest({ self_hosted_credentials_type: 'env_var', env_var_name: 'ARTEMIS_INJECTED_ONLY' }),
      );

      // Assess
      await expect(response.json()).resolves.toEqual({
        __mcd_result__: { connect_args: { host: 'injected' } },
        __mcd_trace_id__: 'trace-1',
      });
      expect(process.env.ARTEMIS_INJECTED_ONLY).toBeUndefined();
    } finally {
      await injected.close();
    }
  });

  it('file: the source is off unless MCD_CREDENTIALS_FILE_DIRS names directories (deviation from Apollo)', async () => {
    // Prepare
    const unconfigured = await startTestAgent({}, { connectors: echoConnectors });

    try {
      // Act
      const response = await unconfigured.post(
        ECHO_PATH,
        echoRequest({ self_hosted_credentials_type: 'file', file_path: join(dir, 'db.json') }),
      );

      // Assess
      expect(response.status).toBe(400);
      await expect(response.json()).resolves.toMatchObject({
        __mcd_error__:
          'Failed to read self-hosted credentials: The file credentials source is disabled: set MCD_CREDENTIALS_FILE_DIRS to the directories it may read',
        __mcd_error_type__: 'Forbidden',
      });
    } finally {
      await unconfigured.close();
    }
  });
});
