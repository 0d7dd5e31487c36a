import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ECHO_PATH, echoConnectors, echoRequest } from '../support/echo-connector';
import { expectFreeOfSecrets } from '../support/secret-leaks';
import { startTestAgent, type TestAgent } from '../support/test-agent';

/*
 * The `env_var` self-hosted source (issue 9 finding 6): never the platform's credentials nor the agent's own secrets,
 * only what MCD_CREDENTIALS_ENV_VARS allows when it is set, and one error for unset, refused and not-JSON alike, so
 * an answer tells nothing about whether a variable exists or what it holds.
 */

const DOCUMENT = JSON.stringify({ connect_args: { host: 'db', user: 'u', password: 'pw-9Qx' } });
/** Every refused variable holds a valid credentials document: the refusal is the only reason it is not read. */
const REFUSED = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'IDENTITY_ENDPOINT',
  'IDENTITY_HEADER',
  'MSI_SECRET',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'AZURE_CLIENT_SECRET',
  'AzureWebJobsStorage',
  'MCD_STORAGE_SECRET_KEY',
  'MCD_STORAGE_SIGNING_SECRET',
  'MCD_STORAGE_ACCESS_KEY',
  'MCD_DB_CREDENTIALS',
  'MCD_ADDITIONAL_ENV_VARS',
  'APPSETTING_AWS_SECRET_ACCESS_KEY',
  'aws_secret_access_key',
];
const ENV = {
  DB_CREDENTIALS: DOCUMENT,
  TEAM_A_DB: DOCUMENT,
  NOT_JSON: 'password=pw-9Qx',
  JSON_ARRAY: JSON.stringify(['pw-9Qx']),
  ...Object.fromEntries(REFUSED.map((name) => [name, DOCUMENT])),
};

/** The answer with the variable's name taken out: what must be identical whatever the reason. */
async function answerFor(agent: TestAgent, name: string): Promise<{ status: number; body: unknown }> {
  const response = await agent.post(
    ECHO_PATH,
    echoRequest({ self_hosted_credentials_type: 'env_var', env_var_name: name }, 'trace-env'),
  );
  const text = (await response.text()).replaceAll(name, '<NAME>');
  return { status: response.status, body: JSON.parse(text) };
}

const UNIFORM = {
  status: 400,
  body: {
    __mcd_error__:
      'Failed to read self-hosted credentials: No usable credentials in environment variable: <NAME> (unset, not allowed, or not a JSON object)',
    __mcd_exception__:
      'SelfHostedCredentialsError: Failed to read self-hosted credentials: No usable credentials in environment variable: <NAME> (unset, not allowed, or not a JSON object)',
    __mcd_stack_trace__: expect.any(Array),
    __mcd_error_type__: 'NotFound',
    __mcd_trace_id__: 'trace-env',
  },
};

describe('env_var self-hosted credentials without an allow-list', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startTestAgent({}, { connectors: echoConnectors, env: ENV });
  });
  afterAll(async () => {
    expectFreeOfSecrets(agent.logs, ['pw-9Qx']);
    await agent.close();
  });

  it("reads the customer's own variable", async () => {
    // Act
    const answer = await answerFor(agent, 'DB_CREDENTIALS');

    // Assess
    expect(answer).toEqual({
      status: 200,
      body: { __mcd_result__: JSON.parse(DOCUMENT), __mcd_trace_id__: 'trace-env' },
    });
  });

  it.each(REFUSED)('never reads %s, and says so in the uniform words', async (name) => {
    // Act
    const answer = await answerFor(agent, name);

    // Assess
    expect(answer).toEqual(UNIFORM);
  });

  it('answers unset, refused, not JSON and not an object identically, stack trace included', async () => {
    // Act
    const answers = await Promise.all(
      ['UNSET_VARIABLE', 'AWS_SECRET_ACCESS_KEY', 'NOT_JSON', 'JSON_ARRAY'].map((name) => answerFor(agent, name)),
    );

    // Assess
    expect(answers[0]).toEqual(UNIFORM);
    for (const answer of answers.slice(1)) expect(answer).toStrictEqual(answers[0]);
  });

  it('logs the reason for the operator, never the value', async () => {
    // Act
    await answerFor(agent, 'NOT_JSON');

    // Assess
    expect(agent.logs.at(-1)).toMatchObject({
      level: 'warn',
      provider: 'env_var',
      cause: 'Failed to read self-hosted credentials: Invalid JSON in environment variable: NOT_JSON',
    });
  });
});

describe('env_var self-hosted credentials with MCD_CREDENTIALS_ENV_VARS', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startTestAgent(
      { MCD_CREDENTIALS_ENV_VARS: 'DB_CREDENTIALS, TEAM_*, AWS_SECRET_ACCESS_KEY' },
      { connectors: echoConnectors, env: ENV },
    );
  });
  afterAll(() => agent.close());

  it('reads the names and prefixes it lists', async () => {
    // Act
    const byName = await answerFor(agent, 'DB_CREDENTIALS');
    const byPrefix = await answerFor(agent, 'TEAM_A_DB');

    // Assess
    expect(byName.status).toBe(200);
    expect(byPrefix).toEqual({
      status: 200,
      body: { __mcd_result__: JSON.parse(DOCUMENT), __mcd_trace_id__: 'trace-env' },
    });
  });

  it('refuses any other variable, and a platform credential even when listed', async () => {
    // Act
    const unlisted = await answerFor(agent, 'NOT_JSON');
    const listedPlatform = await answerFor(agent, 'AWS_SECRET_ACCESS_KEY');

    // Assess
    expect(unlisted).toEqual(UNIFORM);
    expect(listedPlatform).toEqual(UNIFORM);
  });
});
