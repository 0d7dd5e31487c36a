import type { IncomingHttpHeaders } from 'node:http';
import { type LocalHttpServer, sendJson, startLocalHttpServer } from '@artemis/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, startConnectorsAgent, type TestAgent } from '../support/connectors-agent';

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const PAT = 'dapi-test-token';

/** Apollo's DatabricksRestProxyClient: the workspace REST API with a PAT or an OAuth token, through the http connector. */
describe('databricks-rest against a local workspace', () => {
  let workspace: LocalHttpServer;
  let agent: TestAgent;
  const seen: Seen[] = [];
  const start = () => [
    { method: 'do_request', kwargs: { url: `${workspace.url}/api/2.0/sql/warehouses/abc/start`, http_method: 'POST' } },
  ];

  beforeAll(async () => {
    workspace = await startLocalHttpServer((request, body, response) => {
      const path = request.url ?? '';
      seen.push({ method: request.method ?? '', path, headers: request.headers, body: body.toString('utf8') });
      if (path === '/oidc/.well-known/oauth-authorization-server') {
        return sendJson(response, 200, { token_endpoint: `${workspace.url}/oidc/v1/token` });
      }
      if (path === '/oidc/v1/token') return sendJson(response, 200, { access_token: 'oauth-token', expires_in: 3600 });
      if (path.startsWith('/azure/')) {
        return sendJson(response, 200, { access_token: 'aad-token', expires_in: '3599', token_type: 'Bearer' });
      }
      if (path.startsWith('/api/2.0/forbidden')) {
        return void response.writeHead(403, 'Forbidden', { 'content-type': 'text/plain' }).end('Forbidden');
      }
      sendJson(response, 200, { result: 'ok' });
    });
    agent = await startConnectorsAgent();
  });
  afterAll(async () => {
    await agent.close();
    await workspace.close();
  });
  afterEach(() => {
    seen.length = 0;
  });
  const apiCalls = () => seen.filter((request) => request.path.startsWith('/api/'));

  it("sends Apollo's do_request with the personal access token (flat credentials)", async () => {
    // Act
    const answer = await execute(agent, 'databricks-rest', start(), {
      databricks_workspace_url: workspace.url,
      databricks_token: PAT,
    });

    // Assess
    expect(answer).toEqual({ __mcd_result__: { result: 'ok' }, __mcd_trace_id__: 'trace-1' });
    expect(apiCalls()).toMatchObject([
      { method: 'POST', path: '/api/2.0/sql/warehouses/abc/start', headers: { authorization: `Bearer ${PAT}` } },
    ]);
  });

  it('unwraps pre-shaped connect_args the same way', async () => {
    // Act
    const answer = await execute(agent, 'databricks-rest', start(), {
      connect_args: { databricks_workspace_url: workspace.url, databricks_token: PAT },
    });

    // Assess
    expect(answer.__mcd_result__).toEqual({ result: 'ok' });
    expect(apiCalls()[0]?.headers.authorization).toBe(`Bearer ${PAT}`);
  });

  it('fetches a Databricks OAuth token (it wins over a stale PAT) through the guard', async () => {
    // Act
    const answer = await execute(agent, 'databricks-rest', start(), {
      databricks_workspace_url: workspace.url,
      databricks_client_id: 'sp-rest',
      databricks_client_secret: 'rest-secret',
      databricks_token: 'stale-pat',
    });

    // Assess
    expect(answer.__mcd_result__).toEqual({ result: 'ok' });
    expect(seen.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /oidc/.well-known/oauth-authorization-server',
      'POST /oidc/v1/token',
      'POST /api/2.0/sql/warehouses/abc/start',
    ]);
    expect(seen[1]?.headers.authorization).toBe(`Basic ${Buffer.from('sp-rest:rest-secret').toString('base64')}`);
    expect(apiCalls()[0]?.headers.authorization).toBe('Bearer oauth-token');
  });

  it('fetches an Azure Entra ID token for the Azure Databricks resource', async () => {
    // Act
    const answer = await execute(agent, 'databricks-rest', start(), {
      databricks_workspace_url: workspace.url,
      databricks_client_id: 'sp-azure',
      databricks_client_secret: 'azure-secret',
      azure_tenant_id: 'tenant-9',
      azure_workspace_resource_id: '/subscriptions/s/workspaces/w',
      azure_login_endpoint: `${workspace.url}/azure/`,
    });

    // Assess
    expect(answer.__mcd_result__).toEqual({ result: 'ok' });
    const token = seen.find((request) => request.path === '/azure/tenant-9/oauth2/token');
    expect(Object.fromEntries(new URLSearchParams(token?.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'sp-azure',
      client_secret: 'azure-secret',
      resource: '2ff814a6-3304-4ab8-85cb-cd0e6f879c1d',
    });
    expect(apiCalls()[0]?.headers.authorization).toBe('Bearer aad-token');
  });

  it('reports credentials with neither a token nor OAuth keys, naming the missing token', async () => {
    // Act
    const answer = await execute(agent, 'databricks-rest', start(), { databricks_workspace_url: workspace.url });

    // Assess
    expect(answer.__mcd_error__).toBe("[mapper_validation] Missing required fields: ['token']");
    expect(seen).toEqual([]);
  });

  it('reports a 4xx as an HTTPError with its status and reason', async () => {
    // Act
    const answer = await execute(
      agent,
      'databricks-rest',
      [{ method: 'do_request', args: ['/api/2.0/forbidden', 'GET'] }],
      { databricks_workspace_url: workspace.url, databricks_token: PAT },
    );

    // Assess
    expect(answer).toMatchObject({
      __mcd_error__: 'Forbidden',
      __mcd_error_type__: 'HTTPError',
      __mcd_error_attrs__: { status_code: 403, reason: 'Forbidden' },
    });
  });

  it('takes a relative path (GET by default) with query parameters, headers and a JSON payload', async () => {
    // Act
    const answer = await execute(
      agent,
      'databricks-rest',
      [
        {
          method: 'do_request',
          kwargs: {
            url: 'api/2.1/jobs/list',
            params: { limit: 25 },
            additional_headers: { 'X-Trace': 't-1' },
            payload: { expand_tasks: true },
            user_agent: 'monte-carlo',
            timeout: 30,
          },
        },
      ],
      { databricks_workspace_url: workspace.url, databricks_token: PAT },
    );

    // Assess
    expect(answer).toMatchObject({ __mcd_result__: { result: 'ok' } });
    expect(apiCalls()).toMatchObject([
      {
        method: 'GET',
        path: '/api/2.1/jobs/list?limit=25',
        headers: { authorization: `Bearer ${PAT}`, 'x-trace': 't-1', 'user-agent': 'monte-carlo' },
        body: '{"expand_tasks":true}',
      },
    ]);
  });

  it.each([
    'https://elsewhere.example/api/2.0/clusters/list',
    'http://127.0.0.1:1/api/2.0/clusters/list',
    '/api\r\nHost: x',
  ])('refuses %j: the token only goes to the workspace', async (url) => {
    // Act
    const answer = await execute(agent, 'databricks-rest', [{ method: 'do_request', args: [url] }], {
      databricks_workspace_url: workspace.url,
      databricks_token: PAT,
    });

    // Assess
    expect(answer).toMatchObject({ __mcd_error_type__: 'Forbidden' });
    expect(String(answer.__mcd_error__)).toMatch(/^do_request: url must/);
    expect(apiCalls()).toEqual([]);
  });
});
