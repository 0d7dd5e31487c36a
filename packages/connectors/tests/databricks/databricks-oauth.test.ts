import type { IncomingMessage } from 'node:http';
import {
  type FakeHiveServer2,
  type LocalHttpServer,
  selfSignedCertificate,
  sendJson,
  startFakeHiveServer2,
  startLocalHttpServer,
} from '@artemis/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, startConnectorsAgent, type TestAgent } from '../support/connectors-agent';
import { queryCommands } from '../support/sql-operations';

interface TokenRequest {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly form: Record<string, string>;
}

const AZURE_RESOURCE_ID = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Databricks/workspaces/w';

/** Service-principal OAuth for a SQL warehouse: tokens fetched through the guard, sent on every Thrift request. */
describe('databricks with OAuth credentials (resolve_databricks_oauth)', () => {
  const tls = selfSignedCertificate();
  let fake: FakeHiveServer2;
  let login: LocalHttpServer;
  let agent: TestAgent;
  const tokenRequests: TokenRequest[] = [];
  const record = (request: IncomingMessage, body: Buffer) =>
    tokenRequests.push({
      path: request.url ?? '',
      authorization: request.headers.authorization,
      form: Object.fromEntries(new URLSearchParams(body.toString('utf8'))),
    });
  const flat = (extra: Record<string, unknown>) => ({
    server_hostname: '127.0.0.1',
    _port: fake.port,
    http_path: '/sql/1.0/warehouses/abc123',
    ssl_options: { ca_data: tls.cert },
    ...extra,
  });

  beforeAll(async () => {
    fake = await startFakeHiveServer2(tls);
    // Entra ID's v1 token endpoint: a token per requested resource.
    login = await startLocalHttpServer((request, body, response) => {
      record(request, body);
      const { resource, client_secret: secret } = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      if (secret !== 'azure-secret') return sendJson(response, 401, { error: 'invalid_client' });
      sendJson(response, 200, {
        token_type: 'Bearer',
        expires_in: '3599',
        access_token:
          resource === '2ff814a6-3304-4ab8-85cb-cd0e6f879c1d' ? 'aad-workspace-token' : 'aad-management-token',
      });
    });
    agent = await startConnectorsAgent();
  });
  afterAll(async () => {
    await agent.close();
    await login.close();
    await fake.close();
  });
  afterEach(() => {
    fake.calls.length = 0;
    fake.routes.clear();
    fake.auth.expected = undefined;
    tokenRequests.length = 0;
  });

  it('fetches a Databricks M2M token (discovery, client credentials, scope all-apis) and sends it as the Bearer', async () => {
    // Prepare: the workspace's authorization server, on the warehouse's own host
    fake.routes.set('GET /oidc/.well-known/oauth-authorization-server', (_request, _body, response) =>
      sendJson(response, 200, { issuer: `${fake.url}/oidc`, token_endpoint: `${fake.url}/oidc/v1/token` }),
    );
    fake.routes.set('POST /oidc/v1/token', (request, body, response) => {
      record(request, body);
      sendJson(response, 200, { access_token: 'm2m-token', token_type: 'Bearer', expires_in: 3600 });
    });
    fake.statements.set('SHOW CATALOGS', { columns: [{ name: 'catalog', type: 'STRING' }], rows: [['main']] });
    fake.auth.expected = 'Bearer m2m-token';

    // Act
    const answer = await execute(
      agent,
      'databricks',
      queryCommands('SHOW CATALOGS'),
      flat({ databricks_client_id: 'sp-m2m', databricks_client_secret: 'm2m-secret' }),
    );

    // Assess
    expect((answer.__mcd_result__ as { all_results: unknown }).all_results).toEqual([['main']]);
    expect(tokenRequests).toEqual([
      {
        path: '/oidc/v1/token',
        authorization: `Basic ${Buffer.from('sp-m2m:m2m-secret').toString('base64')}`,
        form: { grant_type: 'client_credentials', scope: 'all-apis' },
      },
    ]);
    // The client's id and secret never reach the warehouse.
    expect(JSON.stringify(fake.calls)).not.toContain('m2m-secret');
  });

  it('fetches Azure Entra ID tokens (workspace and management) and sends the headers the Databricks SDK sends', async () => {
    // Prepare
    fake.statements.set('SHOW CATALOGS', { columns: [{ name: 'catalog', type: 'STRING' }], rows: [['main']] });
    fake.auth.expected = 'Bearer aad-workspace-token';

    // Act
    const answer = await execute(
      agent,
      'databricks',
      queryCommands('SHOW CATALOGS'),
      flat({
        databricks_client_id: 'sp-azure',
        databricks_client_secret: 'azure-secret',
        azure_tenant_id: 'tenant-1',
        azure_workspace_resource_id: AZURE_RESOURCE_ID,
        azure_login_endpoint: `${login.url}/`,
      }),
    );

    // Assess
    expect((answer.__mcd_result__ as { all_results: unknown }).all_results).toEqual([['main']]);
    expect(tokenRequests.map((request) => [request.path, request.form.resource])).toEqual([
      ['/tenant-1/oauth2/token', '2ff814a6-3304-4ab8-85cb-cd0e6f879c1d'],
      ['/tenant-1/oauth2/token', 'https://management.core.windows.net/'],
    ]);
    expect(tokenRequests[0]?.form).toMatchObject({
      grant_type: 'client_credentials',
      client_id: 'sp-azure',
      client_secret: 'azure-secret',
    });
    for (const call of fake.calls) {
      expect(call.headers).toMatchObject({
        authorization: 'Bearer aad-workspace-token',
        'x-databricks-azure-workspace-resource-id': AZURE_RESOURCE_ID,
        'x-databricks-azure-sp-management-token': 'aad-management-token',
      });
    }
  });

  it('reports a refused client without its secret', async () => {
    // Act
    const answer = await execute(
      agent,
      'databricks',
      queryCommands('SHOW CATALOGS'),
      flat({
        databricks_client_id: 'sp-azure',
        databricks_client_secret: 'wrong-secret',
        azure_tenant_id: 'tenant-2',
        azure_workspace_resource_id: AZURE_RESOURCE_ID,
        azure_login_endpoint: login.url,
      }),
    );

    // Assess
    expect(answer.__mcd_error__).toBe(
      'Error during request to server: OAuth token request failed: Token endpoint returned HTTP 401',
    );
    expect(JSON.stringify(answer)).not.toContain('wrong-secret');
    expect(fake.calls).toEqual([]);
  });
});

describe('databricks operation timeout', () => {
  const tls = selfSignedCertificate();
  let fake: FakeHiveServer2;
  let agent: TestAgent;
  beforeAll(async () => {
    fake = await startFakeHiveServer2(tls);
    agent = await startConnectorsAgent({ MCD_OPERATION_TIMEOUT_SECONDS: '1' });
  });
  afterAll(async () => {
    await agent.close();
    await fake.close();
  });

  it('cancels the statement on the warehouse when the operation times out; the session carries the timeout', async () => {
    // Prepare: a statement that keeps running
    fake.statements.set('SELECT sleep()', { columns: [{ name: 'n', type: 'INT' }], rows: [[1]], runningPolls: 1e6 });

    // Act
    const answer = await execute(agent, 'databricks', queryCommands('SELECT sleep()'), {
      server_hostname: '127.0.0.1',
      _port: fake.port,
      http_path: '/sql/1.0/warehouses/abc123',
      access_token: 'dapi',
      ssl_options: { ca_data: tls.cert },
    });

    // Assess
    expect(answer).toMatchObject({ __mcd_error_type__: 'Timeout' });
    // The cancel is sent once the failure is answered: wait for it (bounded), without timing anything.
    for (let i = 0; i < 200 && fake.cancelled.length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 25));
    expect(fake.cancelled).toHaveLength(1);
    const open = fake.calls.find((call) => call.method === 'OpenSession');
    expect(open?.request.configuration).toEqual({ STATEMENT_TIMEOUT: '1' });
  });
});
