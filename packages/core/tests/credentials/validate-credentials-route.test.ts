import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { echoConnectors } from '../support/echo-connector';
import { expectFreeOfSecrets } from '../support/secret-leaks';
import { startTestAgent, type TestAgent } from '../support/test-agent';

const PASSWORD = 'validate-pw-Yc3Nf5';
const COMPLETE = 'ARTEMIS_TEST_VALIDATE_COMPLETE';
const INCOMPLETE = 'ARTEMIS_TEST_VALIDATE_INCOMPLETE';
const path = (type: string) => `/api/v1/self-hosted-credentials/validate/${type}`;

describe('POST /api/v1/self-hosted-credentials/validate/{connection_type}', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    process.env[COMPLETE] = JSON.stringify({ connect_args: { host: 'h', user: 'u', password: PASSWORD } });
    process.env[INCOMPLETE] = JSON.stringify({ connect_args: { host: 'h', password: PASSWORD, port: 'five' } });
    agent = await startTestAgent({}, { connectors: echoConnectors });
  });
  afterAll(async () => {
    expectFreeOfSecrets(agent.logs, [PASSWORD]);
    await agent.close();
    delete process.env[COMPLETE];
    delete process.env[INCOMPLETE];
  });

  it('fetches the secret and reports it valid against the connector schema', async () => {
    // Act
    const response = await agent.post(path('echo'), {
      credentials: { self_hosted_credentials_type: 'env_var', env_var_name: COMPLETE },
      trace_id: 'v-1',
    });

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('x-mcd-trace-id')).toBe('v-1');
    await expect(response.json()).resolves.toEqual({
      __mcd_result__: { valid: true, connection_type: 'echo', errors: {} },
      __mcd_trace_id__: 'v-1',
    });
  });

  it('validates the merged credentials: request connect_args can complete the fetched document', async () => {
    // Act
    const response = await agent.post(path('echo'), {
      credentials: {
        self_hosted_credentials_type: 'env_var',
        env_var_name: INCOMPLETE,
        connect_args: { user: 'from-request' },
      },
    });

    // Assess: `user` came from the request; the fetched `port` (a string) still wins and is wrong.
    await expect(response.json()).resolves.toEqual({
      __mcd_result__: {
        valid: false,
        connection_type: 'echo',
        errors: { 'connect_args.port': ['expected number, received string'] },
      },
    });
  });

  it('lists every invalid field by path', async () => {
    // Act
    const response = await agent.post(path('echo'), {
      credentials: { self_hosted_credentials_type: 'env_var', env_var_name: INCOMPLETE },
    });

    // Assess
    const body = (await response.json()) as { __mcd_result__: { valid: boolean; errors: Record<string, string[]> } };
    expect(body.__mcd_result__).toEqual({
      valid: false,
      connection_type: 'echo',
      errors: { 'connect_args.user': ['is required'], 'connect_args.port': ['expected number, received string'] },
    });
    expectFreeOfSecrets(body, [PASSWORD]);
  });

  it.each([
    ['a body that is not an object', '[1, 2]', 'Request body must be a JSON object'],
    [
      'credentials without self_hosted_credentials_type',
      JSON.stringify({ credentials: { connect_args: { password: PASSWORD } }, trace_id: 'v-2' }),
      "This endpoint validates self-hosted credentials only. Missing required 'self_hosted_credentials_type' in the credentials envelope.",
    ],
    [
      'no credentials at all',
      JSON.stringify({ trace_id: 'v-2' }),
      "This endpoint validates self-hosted credentials only. Missing required 'self_hosted_credentials_type' in the credentials envelope.",
    ],
  ])('%s is a 400', async (_case, body, message) => {
    // Act
    const response = await agent.post(path('echo'), body);

    // Assess
    expect(response.status).toBe(400);
    const envelope = (await response.json()) as Record<string, unknown>;
    expect(envelope.__mcd_error__).toBe(message);
    expectFreeOfSecrets(envelope, [PASSWORD]);
  });

  it.each([['no-schema'], ['unknown-type']])('connection type %s without a declared schema is a 400', async (type) => {
    // Act
    const response = await agent.post(path(type), {
      credentials: { self_hosted_credentials_type: 'env_var', env_var_name: COMPLETE },
      trace_id: 'v-3',
    });

    // Assess
    expect(response.status).toBe(400);
    await expect(response.json()).resolves.toEqual({
      __mcd_error__: `Connection type not supported for self-hosted credentials validation: ${type}`,
      __mcd_exception__: `BadRequestError: Connection type not supported for self-hosted credentials validation: ${type}`,
      __mcd_stack_trace__: expect.any(Array),
      __mcd_trace_id__: 'v-3',
    });
  });

  it('a secret that cannot be read is a 400 naming the source', async () => {
    // Act
    const response = await agent.post(path('echo'), {
      credentials: { self_hosted_credentials_type: 'env_var', env_var_name: 'ARTEMIS_TEST_UNSET' },
      trace_id: 'v-4',
    });

    // Assess
    expect(response.status).toBe(400);
    await expect(response.json()).resolves.toMatchObject({
      __mcd_error__:
        'Failed to read self-hosted credentials: No usable credentials in environment variable: ARTEMIS_TEST_UNSET (unset, not allowed, or not a JSON object)',
      __mcd_error_type__: 'NotFound',
      __mcd_trace_id__: 'v-4',
    });
  });

  it('runs in its own log context', async () => {
    // Act
    await agent.post(path('echo'), {
      credentials: { self_hosted_credentials_type: 'env_var', env_var_name: COMPLETE },
      trace_id: 'v-5',
    });

    // Assess
    expect(agent.logs).toContainEqual(
      expect.objectContaining({ mcd_trace_id: 'v-5', mcd_operation_name: 'echo/validate_self_hosted_credentials' }),
    );
  });
});
