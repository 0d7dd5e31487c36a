import type { IncomingMessage } from 'node:http';
import { type LocalHttpServer, sendJson, startLocalHttpServer } from '@artemis/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { runPipeline } from '../../src/ctp/run-pipeline';
import { DatabricksTokenSource } from '../../src/ctp/transforms/databricks-token-source';
import { ForbiddenError } from '../../src/errors/agent-errors';
import { NetworkGuard } from '../../src/network/network-guard';
import { compiled, testServices } from './support';

interface Seen {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly form: Record<string, string>;
}

const AZURE_RESOURCE = '2ff814a6-3304-4ab8-85cb-cd0e6f879c1d';

/** A Databricks workspace's authorization server and an Entra ID tenant on one local server. */
describe('Databricks OAuth transforms and token source', () => {
  let server: LocalHttpServer;
  const seen: Seen[] = [];
  let expiresIn = 3600;
  let issued = 0;
  beforeAll(async () => {
    server = await startLocalHttpServer((request: IncomingMessage, body, response) => {
      const path = request.url ?? '';
      seen.push({
        path,
        authorization: request.headers.authorization,
        form: Object.fromEntries(new URLSearchParams(body.toString('utf8'))),
      });
      if (path === '/oidc/.well-known/oauth-authorization-server') {
        return sendJson(response, 200, { token_endpoint: `${server.url}/oidc/v1/token` });
      }
      issued += 1;
      if (path === '/oidc/v1/token')
        return sendJson(response, 200, { access_token: `m2m-${issued}`, expires_in: expiresIn });
      const { resource } = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      sendJson(response, 200, { access_token: resource === AZURE_RESOURCE ? `aad-${issued}` : `mgmt-${issued}` });
    });
  });
  afterAll(() => server.close());
  afterEach(() => {
    seen.length = 0;
    expiresIn = 3600;
  });

  const tokenStep = compiled({
    steps: [
      {
        type: 'resolve_databricks_token',
        input: {
          workspace_url: '{{ raw.databricks_workspace_url }}',
          databricks_token: '{{ raw.databricks_token | default(none) }}',
          client_id: '{{ raw.databricks_client_id | default(none) }}',
          client_secret: '{{ raw.databricks_client_secret | default(none) }}',
          azure_tenant_id: '{{ raw.azure_tenant_id | default(none) }}',
          azure_workspace_resource_id: '{{ raw.azure_workspace_resource_id | default(none) }}',
          azure_login_endpoint: '{{ raw.azure_login_endpoint | default(none) }}',
        },
        output: { token: 'token' },
      },
    ],
    mapper: { token: '{{ derived.token }}' },
  });

  it('resolve_databricks_token: a personal access token as it is, without any request', async () => {
    // Act
    const output = await runPipeline(
      tokenStep,
      { databricks_workspace_url: server.url, databricks_token: 'dapi-1' },
      {},
      await testServices(),
    );

    // Assess
    expect(output).toEqual({ token: 'dapi-1' });
    expect(seen).toEqual([]);
  });

  it('resolve_databricks_token: OAuth M2M wins over a stale PAT (discovery, Basic client auth, scope all-apis)', async () => {
    // Act
    const output = await runPipeline(
      tokenStep,
      {
        databricks_workspace_url: server.url,
        databricks_token: 'stale',
        databricks_client_id: 'id-1',
        databricks_client_secret: 'secret-1',
      },
      {},
      await testServices(),
    );

    // Assess
    expect(output).toEqual({ token: expect.stringMatching(/^m2m-\d+$/) });
    expect(seen).toEqual([
      { path: '/oidc/.well-known/oauth-authorization-server', authorization: undefined, form: {} },
      {
        path: '/oidc/v1/token',
        authorization: `Basic ${Buffer.from('id-1:secret-1').toString('base64')}`,
        form: { grant_type: 'client_credentials', scope: 'all-apis' },
      },
    ]);
  });

  it('resolve_databricks_token: Azure Entra ID for the Azure Databricks resource when tenant and workspace are given', async () => {
    // Act
    const output = await runPipeline(
      tokenStep,
      {
        databricks_workspace_url: 'https://adb-1.2.azuredatabricks.net',
        databricks_client_id: 'id-2',
        databricks_client_secret: 'secret-2',
        azure_tenant_id: 'tenant-2',
        azure_workspace_resource_id: '/subscriptions/s/workspaces/w',
        azure_login_endpoint: server.url,
      },
      {},
      await testServices(),
    );

    // Assess
    expect(output).toEqual({ token: expect.stringMatching(/^aad-\d+$/) });
    expect(seen).toEqual([
      {
        path: '/tenant-2/oauth2/token',
        authorization: undefined,
        form: {
          grant_type: 'client_credentials',
          client_id: 'id-2',
          client_secret: 'secret-2',
          resource: AZURE_RESOURCE,
        },
      },
    ]);
  });

  it('resolve_databricks_token: no credentials is an error naming what to give; a forbidden endpoint is refused', async () => {
    // Act
    const none = await runPipeline(tokenStep, { databricks_workspace_url: server.url }, {}, await testServices()).catch(
      (error: Error) => error,
    );
    const refused = await runPipeline(
      tokenStep,
      { databricks_workspace_url: server.url, databricks_client_id: 'id-3', databricks_client_secret: 'secret-3' },
      {},
      await testServices({ network: () => new NetworkGuard({ allowLoopback: false, blockedCidrs: [] }) }),
    ).catch((error: unknown) => error);

    // Assess
    expect((none as Error).message).toBe(
      "[transform_execute] (step: resolve_databricks_token) No supported Databricks credentials found. Provide 'client_id'+'client_secret' for OAuth or 'databricks_token' for PAT.",
    );
    expect(refused).toBeInstanceOf(ForbiddenError);
    expect(String((refused as Error).message)).not.toContain('secret-3');
  });

  it('resolve_databricks_oauth: derives the credentials provider (data, nothing fetched), https for a bare host', async () => {
    // Prepare
    const step = compiled({
      steps: [
        {
          type: 'resolve_databricks_oauth',
          input: {
            server_hostname: '{{ raw.server_hostname }}',
            client_id: '{{ raw.client_id }}',
            client_secret: '{{ raw.client_secret }}',
            azure_tenant_id: '{{ raw.azure_tenant_id | default(none) }}',
          },
          output: { credentials_provider: 'provider' },
        },
      ],
      mapper: { credentials_provider: '{{ derived.provider }}' },
    });

    // Act
    const output = await runPipeline(
      step,
      { server_hostname: 'adb-1.2.azuredatabricks.net/', client_id: 'id-4', client_secret: 'secret-4' },
      {},
      await testServices(),
    );
    const empty = await runPipeline(
      step,
      { server_hostname: 'h', client_id: '', client_secret: 's' },
      {},
      await testServices(),
    ).catch((error: Error) => error);

    // Assess
    expect(output).toEqual({
      credentials_provider: {
        workspace_url: 'https://adb-1.2.azuredatabricks.net',
        client_id: 'id-4',
        client_secret: 'secret-4',
        azure_tenant_id: null,
        azure_workspace_resource_id: null,
        azure_login_endpoint: null,
      },
    });
    expect(seen).toEqual([]);
    expect((empty as Error).message).toBe(
      "[transform_execute] (step: resolve_databricks_oauth) 'client_id' must not be empty",
    );
  });

  it('the token source keeps a token until a minute before it expires, and shares one fetch between callers', async () => {
    // Prepare: a clock the test moves; tokens that live ten minutes
    expiresIn = 600;
    let now = Date.UTC(2030, 0, 1);
    const source = new DatabricksTokenSource(
      new NetworkGuard({ allowLoopback: true, blockedCidrs: [] }),
      { workspace_url: server.url, client_id: 'id-5', client_secret: 'secret-5' },
      { timeoutMs: 5000, now: () => now },
    );

    // Act
    const [first, concurrent] = await Promise.all([source.accessToken(), source.accessToken()]);
    now += 530_000; // 70 s before expiry: still good
    const kept = await source.accessToken();
    now += 20_000; // 50 s before expiry: renewed
    const renewed = await source.accessToken();

    // Assess
    expect(concurrent).toBe(first);
    expect(kept).toBe(first);
    expect(renewed).not.toBe(first);
    expect(seen.filter((request) => request.path === '/oidc/v1/token')).toHaveLength(2);
  });

  it('the token source sends the headers of the Databricks SDK for Azure: workspace token, resource id, management token', async () => {
    // Prepare
    const source = new DatabricksTokenSource(
      new NetworkGuard({ allowLoopback: true, blockedCidrs: [] }),
      {
        workspace_url: 'https://adb-7.8.azuredatabricks.net',
        client_id: 'id-6',
        client_secret: 'secret-6',
        azure_tenant_id: 'tenant-6',
        azure_workspace_resource_id: '/subscriptions/s/workspaces/w6',
        azure_login_endpoint: `${server.url}/`,
      },
      { timeoutMs: 5000 },
    );

    // Act
    const headers = await source.headers();

    // Assess
    expect(headers).toEqual({
      Authorization: expect.stringMatching(/^Bearer aad-\d+$/),
      'X-Databricks-Azure-Workspace-Resource-Id': '/subscriptions/s/workspaces/w6',
      'X-Databricks-Azure-SP-Management-Token': expect.stringMatching(/^mgmt-\d+$/),
    });
    expect(seen.map((request) => request.form.resource)).toEqual([
      AZURE_RESOURCE,
      'https://management.core.windows.net/',
    ]);
  });
});
