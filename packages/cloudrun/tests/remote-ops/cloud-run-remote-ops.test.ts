import { startTestAgent, type TestAgent } from '@artemis/core/testing';
import { type FakeGcpRemoteOps, fakeGcpRemoteOpsClients, startFakeGcpRemoteOps } from '@artemis/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { cloudRunRemoteOps } from '../../src/remote-ops/cloud-run-remote-ops';

/*
 * The Cloud Run updater (apollo-inventory §8.3) and the GCP log route (§1.4), driven by the real @google-cloud/run
 * `ServicesClient` and @google-cloud/logging `Logging` (REST fallback) and the real gcp-metadata client, against one
 * HTTP fake of the Admin API, Cloud Logging and the metadata server.
 */

const SERVICE = 'projects/123456789/locations/us-central1/services/artemis-agent';
const IMAGE = 'us-central1-docker.pkg.dev/acme/artemis/agent';
const NOW = new Date('2026-03-01T12:00:00Z');

let fake: FakeGcpRemoteOps;
let agent: TestAgent;
let metadataHost: string | undefined;

beforeAll(() => {
  metadataHost = process.env.GCE_METADATA_HOST;
});
afterAll(() => {
  if (metadataHost === undefined) delete process.env.GCE_METADATA_HOST;
  else process.env.GCE_METADATA_HOST = metadataHost;
});
beforeEach(async () => {
  fake = await startFakeGcpRemoteOps();
  // gcp-metadata reads the metadata server's address from here: the fake stands in for metadata.google.internal.
  process.env.GCE_METADATA_HOST = `127.0.0.1:${fake.port}`;
  fake.services.set(SERVICE, {
    name: SERVICE,
    generation: '3',
    latestCreatedRevision: `${SERVICE}/revisions/artemis-agent-00003-abc`,
    template: {
      containers: [
        {
          image: `${IMAGE}:1.1.0-cloudrun`,
          env: [
            { name: 'MCD_STORAGE', value: 'GCS' },
            { name: 'MCD_AGENT_IMAGE_TAG', value: `${IMAGE}:1.1.0-cloudrun` },
          ],
        },
      ],
    },
  });
});
afterEach(async () => {
  await agent?.close();
  await fake.close();
});

async function start(env: Record<string, string> = {}): Promise<TestAgent> {
  agent = await startTestAgent(
    { MCD_AGENT_VERSION: '1.1.0', GOOGLE_CLOUD_PROJECT: 'acme', ...env },
    {
      platform: 'GCP',
      env: { K_SERVICE: 'artemis-agent' },
      remoteOps: cloudRunRemoteOps({ client: fakeGcpRemoteOpsClients(fake), now: () => NOW }),
    },
  );
  return agent;
}

async function call(path: string, body?: unknown) {
  const response = body === undefined ? await agent.get(path) : await agent.post(path, body);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('POST /api/v1/upgrade on Cloud Run', () => {
  it('sets the image and MCD_AGENT_IMAGE_TAG on the service and waits for the new revision', async () => {
    // Prepare
    await start({ MCD_AGENT_IS_REMOTE_UPGRADABLE: 'true' });

    // Act
    const { status, body } = await call('/api/v1/upgrade', { trace_id: 't-1', image: `${IMAGE}:1.2.0-cloudrun` });

    // Assess
    expect(status).toBe(200);
    expect(body).toEqual({
      __mcd_result__: { 'service-name': SERVICE, revision: `${SERVICE}/revisions/artemis-agent-00004-new` },
      __mcd_trace_id__: 't-1',
    });
    const patch = fake.calls.find((c) => c.method === 'PATCH');
    expect(patch?.path).toBe(`/v2/${SERVICE}`);
    expect(patch?.body).toMatchObject({
      template: {
        containers: [
          {
            image: `${IMAGE}:1.2.0-cloudrun`,
            env: [
              { name: 'MCD_STORAGE', value: 'GCS' },
              { name: 'MCD_AGENT_IMAGE_TAG', value: `${IMAGE}:1.2.0-cloudrun` },
            ],
          },
        ],
      },
    });
    expect(fake.calls.filter((c) => c.path.includes('/operations/')).length).toBe(3);
  });

  it('refuses an Azure image for a Cloud Run service before calling the Admin API to update', async () => {
    // Prepare
    await start({ MCD_AGENT_IS_REMOTE_UPGRADABLE: 'true', MCD_AGENT_VERSION: '1.1.0' });

    // Act
    const { body } = await call('/api/v1/upgrade', {
      image: 'us-central1-docker.pkg.dev/acme/artemis/agent:1.2.0-azure',
    });

    // Assess
    expect(body.__mcd_error__).toBe(
      "Update failed: Upgrade rejected: image 'us-central1-docker.pkg.dev/acme/artemis/agent:1.2.0-azure' is a 'azure' image but the agent is running a 'cloudrun' image",
    );
    expect(fake.calls.some((c) => c.method === 'PATCH')).toBe(false);
  });

  it('answers a denied update as "Update failed" with the Permissions type and the trace id', async () => {
    // Prepare
    await start({ MCD_AGENT_IS_REMOTE_UPGRADABLE: 'true' });
    fake.denied.add(`/v2/${SERVICE}`);

    // Act
    const { body } = await call('/api/v1/upgrade', { trace_id: 't-2', image: `${IMAGE}:1.2.0-cloudrun` });

    // Assess
    expect(body).toMatchObject({
      __mcd_error__: `Update failed: Permission denied on resource /v2/${SERVICE}`,
      __mcd_error_type__: 'Permissions',
      __mcd_trace_id__: 't-2',
    });
  });

  it('answers a throttled Admin API with the Throttling type', async () => {
    // Prepare
    await start({ MCD_AGENT_IS_REMOTE_UPGRADABLE: 'true' });
    fake.throttle.remaining = 1;

    // Act
    const { body } = await call('/api/v1/upgrade', { trace_id: 't-3', image: `${IMAGE}:1.2.0-cloudrun` });

    // Assess
    expect(body).toMatchObject({
      __mcd_error__: 'Update failed: Quota exceeded for quota metric Read requests',
      __mcd_error_type__: 'Throttling',
      __mcd_trace_id__: 't-3',
    });
  });

  it('reports the running image in a full health check, and {} as infra details', async () => {
    // Prepare
    await start();

    // Act
    const health = await call('/api/v1/test/health?full=true');
    const infra = await call('/api/v1/infra/details');

    // Assess
    expect(health.body.platform_info).toMatchObject({ image: `${IMAGE}:1.1.0-cloudrun` });
    expect(infra.body.__mcd_result__).toEqual({});
  });

  it('needs the region from the metadata server', async () => {
    // Prepare
    fake.region.value = 'unknown';
    await start({ MCD_AGENT_IS_REMOTE_UPGRADABLE: 'true' });

    // Act
    const { body } = await call('/api/v1/upgrade', { image: `${IMAGE}:1.2.0-cloudrun` });

    // Assess
    expect(body.__mcd_error__).toBe('Update failed: Service name and region are required to update a CloudRun service');
  });
});

describe('/api/v1/gcp/logs/list', () => {
  it("lists the container's entries for this service, oldest first, in the REST API's shape", async () => {
    // Prepare
    fake.entries.push(
      {
        logName: 'projects/acme/logs/run.googleapis.com%2Fstdout',
        resource: { type: 'cloud_run_revision', labels: { service_name: 'artemis-agent' } },
        timestamp: '2026-03-01T11:55:00.123456Z',
        severity: 'INFO',
        insertId: 'a1',
        jsonPayload: { msg: 'Executing operation', mcd_trace_id: '42' },
      },
      {
        logName: 'projects/acme/logs/run.googleapis.com%2Fstderr',
        timestamp: '2026-03-01T11:56:00Z',
        severity: 'ERROR',
        insertId: 'a2',
        textPayload: 'boom',
      },
    );
    await start();

    // Act
    const { body } = await call('/api/v1/gcp/logs/list', { trace_id: 't-4', filter: 'severity >= INFO', limit: 50 });

    // Assess
    expect(body.__mcd_trace_id__).toBe('t-4');
    expect((body.__mcd_result__ as { events: unknown[] }).events).toEqual([
      expect.objectContaining({
        insertId: 'a1',
        timestamp: '2026-03-01T11:55:00.123Z',
        jsonPayload: { msg: 'Executing operation', mcd_trace_id: '42' },
      }),
      expect.objectContaining({ insertId: 'a2', timestamp: '2026-03-01T11:56:00.000Z', textPayload: 'boom' }),
    ]);
    const list = fake.calls.find((c) => c.path === '/v2/entries:list')?.body as Record<string, unknown>;
    expect(list).toMatchObject({
      resourceNames: ['projects/acme'],
      orderBy: 'timestamp asc',
      pageSize: 50,
      filter:
        'severity >= INFO\nresource.type = "cloud_run_revision"\nresource.labels.service_name = "artemis-agent"\ntimestamp >= "2026-03-01T11:50:00.000Z"\nlogName = ("projects/acme/logs/run.googleapis.com%2Fstdout" OR "projects/acme/logs/run.googleapis.com%2Fstderr")',
    });
  });

  it('answers a denied read with the Permissions type and the trace id', async () => {
    // Prepare
    fake.denied.add('/v2/entries:list');
    await start();

    // Act
    const { status, body } = await call('/api/v1/gcp/logs/list?trace_id=t-5');

    // Assess
    expect(status).toBe(200);
    expect(body).toMatchObject({
      __mcd_error__: 'Permission denied on resource /v2/entries:list',
      __mcd_error_type__: 'Permissions',
      __mcd_trace_id__: 't-5',
    });
  });
});
