import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectFreeOfSecrets } from '../support/secret-leaks';
import { startTestAgent, type TestAgent } from '../support/test-agent';

const PLUGIN = new URL('../fixtures/ctp-plugin.mjs', import.meta.url).pathname;
const PASSWORD = 'manifest-secret-Qx81';
const SECRET_VAR = 'ARTEMIS_TEST_MANIFEST_SECRET';
// Another variable: the self-hosted cache keys secrets by their envelope.
const FLAT_VAR = 'ARTEMIS_TEST_MANIFEST_FLAT';

describe('plugin manifests and credential schemas', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startTestAgent({ MCD_CONNECTOR_MODULES: PLUGIN });
  });
  afterAll(async () => {
    expectFreeOfSecrets(agent.logs, [PASSWORD]);
    await agent.close();
    delete process.env[SECRET_VAR];
    delete process.env[FLAT_VAR];
  });

  it('lists plugin types under custom as Apollo shapes them: {type, name}', async () => {
    // Act
    const response = await agent.post('/api/v1/agent/connectors/types', { trace_id: 'types-1' });

    // Assess
    await expect(response.json()).resolves.toEqual({
      __mcd_result__: {
        connector_types: {
          native: ['storage'],
          custom: [
            { type: 'described', name: 'Described DB' },
            { type: 'echo_ctp', name: 'echo_ctp' },
            { type: 'failing_ctp', name: 'failing_ctp' },
            { type: 'raw_schema_ctp', name: 'raw_schema_ctp' },
          ],
        },
      },
      __mcd_trace_id__: 'types-1',
    });
  });

  it('serves each manifest without its credentials schema, and its templates', async () => {
    // Act
    const response = await agent.post('/api/v1/agent/custom-connectors/manifests', { trace_id: 'm-1' });

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('x-mcd-trace-id')).toBe('m-1');
    const body = (await response.json()) as { __mcd_result__: Record<string, unknown> };
    expect(body.__mcd_result__.described).toEqual({
      manifest: { connection_type: 'described', name: 'Described DB', icon_url: 'https://example.invalid/icon.svg' },
      templates: { 'get_tables_query_template.j2': 'SELECT table_name FROM {{ database_name }}.tables' },
    });
    expect(body.__mcd_result__.echo_ctp).toEqual({ manifest: { connection_type: 'echo_ctp' }, templates: {} });
  });

  it('validates a self-hosted secret against the manifest JSON Schema, without quoting the secret', async () => {
    // Prepare
    process.env[SECRET_VAR] = JSON.stringify({ connect_args: { host: '', port: 99999, user: PASSWORD } });

    // Act
    const response = await agent.post('/api/v1/self-hosted-credentials/validate/described', {
      credentials: { self_hosted_credentials_type: 'env_var', env_var_name: SECRET_VAR },
      trace_id: 'v-1',
    });

    // Assess
    const body = await response.json();
    expect(body).toEqual({
      __mcd_result__: {
        valid: false,
        connection_type: 'described',
        errors: {
          'connect_args.password': ['is required'],
          'connect_args.host': ['is too short'],
          'connect_args.port': ['is out of range'],
        },
      },
      __mcd_trace_id__: 'v-1',
    });
    expect(JSON.stringify(body)).not.toContain(PASSWORD);
  });

  it("prefers the pipeline's raw-credentials schema, applied to the flat view of a pre-shaped secret", async () => {
    // Prepare
    process.env[FLAT_VAR] = JSON.stringify({ connect_args: { password: PASSWORD } });

    // Act
    const response = await agent.post('/api/v1/self-hosted-credentials/validate/raw_schema_ctp', {
      credentials: { self_hosted_credentials_type: 'env_var', env_var_name: FLAT_VAR },
    });

    // Assess
    await expect(response.json()).resolves.toEqual({
      __mcd_result__: {
        valid: false,
        connection_type: 'raw_schema_ctp',
        errors: { 'connect_args.host': ['host is required'] },
      },
    });
  });
});
