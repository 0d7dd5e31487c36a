import { startTestAgent, type TestAgent } from '@artemis/core/testing';
import { type FakeAzureRemoteOps, fakeAzureRemoteOpsClients, startFakeAzureRemoteOps } from '@artemis/testkit';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { azureRemoteOps } from '../../src/remote-ops/azure-remote-ops';

/*
 * The Azure updater (apollo-inventory §8.4) and the Azure log route (§1.5), driven by the real
 * @azure/arm-appservice `WebSiteManagementClient` and @azure/monitor-query-logs `LogsQueryClient` against an HTTPS
 * fake of ARM and Azure Monitor.
 */

const SITE = { subscriptionId: '00000000-0000-0000-0000-00000000000a', resourceGroup: 'rg', name: 'artemis-agent' };
const IMAGE = 'docker.io/acme/agent';
const AI =
  '/subscriptions/00000000-0000-0000-0000-00000000000a/resourceGroups/rg/providers/microsoft.insights/components/ai';
const NOW = new Date('2026-03-01T12:00:00Z');

let fake: FakeAzureRemoteOps;
let agent: TestAgent;
beforeEach(async () => {
  fake = await startFakeAzureRemoteOps(SITE);
  fake.site.linuxFxVersion = `DOCKER|${IMAGE}:1.1.0-azure`;
  fake.site.appSettings = {
    AzureWebJobsStorage: 'DefaultEndpointsProtocol=https;AccountName=x',
    MCD_STORAGE: 'AZURE_BLOB',
  };
});
afterEach(async () => {
  await agent?.close();
  await fake.close();
});

async function start(env: Record<string, string> = {}, processEnv: Record<string, string> = {}): Promise<TestAgent> {
  agent = await startTestAgent(
    { MCD_AGENT_VERSION: '1.1.0', ...env },
    {
      platform: 'Azure',
      env: {
        WEBSITE_OWNER_NAME: `${SITE.subscriptionId}+rg-somewhereWebspace-Linux`,
        WEBSITE_RESOURCE_GROUP: SITE.resourceGroup,
        WEBSITE_SITE_NAME: SITE.name,
        ...processEnv,
      },
      remoteOps: azureRemoteOps({ ...fakeAzureRemoteOpsClients(fake), now: () => NOW }),
    },
  );
  return agent;
}

async function call(path: string, body?: unknown) {
  const response = body === undefined ? await agent.get(path) : await agent.post(path, body);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('POST /api/v1/upgrade on Azure', () => {
  it('sets linuxFxVersion and merges the mapped parameters and MCD_LAST_UPDATE_TS into the app settings', async () => {
    // Prepare
    await start({ MCD_AGENT_IS_REMOTE_UPGRADABLE: 'true' });

    // Act
    const { status, body } = await call('/api/v1/upgrade', {
      trace_id: 't-1',
      image: `${IMAGE}:1.2.0-azure`,
      parameters: { WorkerProcessCount: 4, 'env.HTTP_PROXY': 'http://proxy:3128', ignored: 'x' },
    });

    // Assess
    expect(status).toBe(200);
    expect(body).toEqual({
      __mcd_result__: {
        message: `Update in progress, image: ${IMAGE}:1.2.0-azure, parameters: {"WorkerProcessCount":4,"env.HTTP_PROXY":"http://proxy:3128","ignored":"x"}`,
      },
      __mcd_trace_id__: 't-1',
    });
    expect(fake.site.linuxFxVersion).toBe(`DOCKER|${IMAGE}:1.2.0-azure`);
    expect(fake.site.appSettings).toEqual({
      AzureWebJobsStorage: 'DefaultEndpointsProtocol=https;AccountName=x',
      MCD_STORAGE: 'AZURE_BLOB',
      FUNCTIONS_WORKER_PROCESS_COUNT: '4',
      HTTP_PROXY: 'http://proxy:3128',
      MCD_LAST_UPDATE_TS: '2026-03-01T12:00:00.000Z',
    });
    expect(fake.calls.find((c) => c.method === 'PATCH')?.body).toEqual({
      properties: { linuxFxVersion: `DOCKER|${IMAGE}:1.2.0-azure` },
    });
  });

  it('restarts with new parameters alone (no image)', async () => {
    // Prepare
    await start({ MCD_AGENT_IS_REMOTE_UPGRADABLE: 'true' });

    // Act
    const { body } = await call('/api/v1/upgrade', { parameters: { MaxConcurrentActivities: 20 } });

    // Assess
    expect(body.__mcd_result__).toEqual({ message: 'Update in progress, parameters: {"MaxConcurrentActivities":20}' });
    expect(fake.site.appSettings).toMatchObject({
      AzureFunctionsJobHost__extensions__durableTask__maxConcurrentActivityFunctions: '20',
      MCD_LAST_UPDATE_TS: '2026-03-01T12:00:00.000Z',
    });
    expect(fake.calls.some((c) => c.method === 'PATCH')).toBe(false);
  });

  it('refuses to change the upgrade allow-list through env.<NAME> (400, nothing written)', async () => {
    // Prepare
    await start({ MCD_AGENT_IS_REMOTE_UPGRADABLE: 'true' });

    // Act
    const { status, body } = await call('/api/v1/upgrade', {
      trace_id: 't-2',
      parameters: { 'env.MCD_AGENT_UPGRADE_ALLOWED_REPOS': 'evil.example.com/' },
    });

    // Assess
    expect(status).toBe(400);
    expect(body).toMatchObject({
      __mcd_error__: 'Invalid value for parameters: MCD_AGENT_UPGRADE_ALLOWED_REPOS cannot be changed remotely',
      __mcd_trace_id__: 't-2',
    });
    expect(fake.calls.filter((c) => c.method !== 'GET')).toEqual([]);
  });

  it('answers AuthorizationFailed as "Update failed" with the Permissions type', async () => {
    // Prepare
    fake.denied.add('Microsoft.Web/sites/config/write');
    await start({ MCD_AGENT_IS_REMOTE_UPGRADABLE: 'true' });

    // Act
    const { body } = await call('/api/v1/upgrade', { trace_id: 't-3', image: `${IMAGE}:1.2.0-azure` });

    // Assess
    expect(body).toMatchObject({
      __mcd_error__: `Update failed: The client 'artemis-identity' does not have authorization to perform action 'Microsoft.Web/sites/config/write' over scope '${fake.sitePath}'`,
      __mcd_error_type__: 'Permissions',
      __mcd_trace_id__: 't-3',
    });
  });

  it('retries a throttled ARM call (Retry-After) and succeeds', async () => {
    // Prepare
    await start({ MCD_AGENT_IS_REMOTE_UPGRADABLE: 'true' });
    fake.throttle.remaining = 1;

    // Act
    const { body } = await call('/api/v1/upgrade', { image: `${IMAGE}:1.2.0-azure` });

    // Assess
    expect(body.__mcd_result__).toEqual({ message: `Update in progress, image: ${IMAGE}:1.2.0-azure` });
    expect(fake.calls[0]?.path).toBe(fake.calls[1]?.path);
  });

  it('needs the variables App Service sets', async () => {
    // Prepare
    await start({ MCD_AGENT_IS_REMOTE_UPGRADABLE: 'true' }, { WEBSITE_RESOURCE_GROUP: '' });

    // Act
    const { body } = await call('/api/v1/upgrade', { image: `${IMAGE}:1.2.0-azure` });

    // Assess
    expect(body.__mcd_error__).toBe('Update failed: Missing WEBSITE_RESOURCE_GROUP environment variable');
  });
});

describe('infra details and health on Azure', () => {
  it('answers the site resource and the parameters the control plane may change', async () => {
    // Prepare
    await start({}, { FUNCTIONS_WORKER_PROCESS_COUNT: '2' });

    // Act
    const { body } = await call('/api/v1/infra/details');

    // Assess
    expect(body.__mcd_result__).toEqual({
      resource: expect.objectContaining({ id: fake.sitePath, name: SITE.name, kind: 'functionapp,linux,container' }),
      parameters: {
        WorkerProcessCount: '2',
        ThreadCount: null,
        MaxConcurrentActivities: null,
        MaxConcurrentOrchestratorFunctions: null,
      },
    });
  });

  it('reports linuxFxVersion as the running image (the gate reads it with its DOCKER| prefix)', async () => {
    // Prepare
    await start();

    // Act
    const { body } = await call('/api/v1/test/health?full=true');

    // Assess
    expect(body.platform_info).toMatchObject({ image: `DOCKER|${IMAGE}:1.1.0-azure` });
  });
});

describe('/api/v1/azure/logs/query', () => {
  beforeEach(() => {
    fake.logTable.columns.push(
      { name: 'timestamp', type: 'datetime' },
      { name: 'message', type: 'string' },
      { name: 'customDimensions', type: 'dynamic' },
    );
    fake.logTable.rows.push(
      [
        '2026-03-01T11:55:00Z',
        'Executing operation',
        JSON.stringify({ mcd_trace_id: '123', commands: JSON.stringify([{ method: 'cursor' }]) }),
      ],
      ['2026-03-01T11:56:00Z', 'def', JSON.stringify({ mcd_trace_id: '321', commands: 'invalid json' })],
    );
  });

  it('queries Application Insights over the window and parses customDimensions and its commands', async () => {
    // Prepare
    await start({ APPINSIGHTS_RESOURCE_ID: AI });

    // Act
    const { body } = await call('/api/v1/azure/logs/query', {
      trace_id: 't-4',
      query: 'where customDimensions.mcd_trace_id == "123"',
      limit: 10,
    });

    // Assess
    expect(body).toEqual({
      __mcd_result__: {
        events: [
          {
            timestamp: '2026-03-01T11:55:00.000Z',
            message: 'Executing operation',
            customDimensions: { mcd_trace_id: '123', commands: [{ method: 'cursor' }] },
          },
          {
            timestamp: '2026-03-01T11:56:00.000Z',
            message: 'def',
            customDimensions: { mcd_trace_id: '321', commands: 'invalid json' },
          },
        ],
      },
      __mcd_trace_id__: 't-4',
    });
    const query = fake.calls.find((c) => c.path.endsWith('/query'));
    expect(query?.path).toBe(`/v1${AI}/query`);
    expect(query?.body).toEqual({
      query:
        'traces | where customDimensions.mcd_trace_id == "123" | project timestamp, message, customDimensions| order by timestamp desc| take 10 | order by timestamp asc',
      timespan: '2026-03-01T11:50:00.000Z/2026-03-01T12:00:00.000Z',
    });
  });

  it('answers "Missing APPINSIGHTS_RESOURCE_ID environment variable" without it', async () => {
    // Prepare
    await start();

    // Act
    const { body } = await call('/api/v1/azure/logs/query?trace_id=t-5');

    // Assess
    expect(body).toMatchObject({
      __mcd_error__: 'Missing APPINSIGHTS_RESOURCE_ID environment variable',
      __mcd_trace_id__: 't-5',
    });
  });

  it('answers a refused query with the Permissions type', async () => {
    // Prepare
    fake.denied.add('Microsoft.Insights/components/query/read');
    await start({ APPINSIGHTS_RESOURCE_ID: AI });

    // Act
    const { body } = await call('/api/v1/azure/logs/query?trace_id=t-6');

    // Assess
    expect(body).toMatchObject({
      __mcd_error__: 'The provided credentials have insufficient access',
      __mcd_error_type__: 'Permissions',
      __mcd_trace_id__: 't-6',
    });
  });
});
