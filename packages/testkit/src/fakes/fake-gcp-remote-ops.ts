import type { ServerResponse } from 'node:http';
import { OAuth2Client } from 'google-auth-library';
import { type LocalHttpServer, sendJson, startLocalHttpServer } from './local-http-server';

/**
 * An HTTP-level fake of what the Cloud Run adapter's remote operations call, on one endpoint: the Cloud Run Admin
 * API v2 REST surface (GetService, UpdateService as a long-running operation, GetOperation), Cloud Logging's
 * `entries:list`, and the metadata server's `instance/region` (the real gcp-metadata client reaches it through
 * GCE_METADATA_HOST). The real `ServicesClient` and `Logging` clients reach the REST surfaces with `fallback: true`.
 * It checks the bearer token, the metadata header and the update's shape, and answers Google's JSON errors.
 */
export interface FakeGcpRemoteOps extends LocalHttpServer {
  /** Full service name → the Service resource (REST JSON). */
  readonly services: Map<string, Record<string, unknown>>;
  /** Entries `entries:list` answers (REST JSON LogEntry), filtered by nothing: the test reads the request. */
  readonly entries: Record<string, unknown>[];
  /** `instance/region` of the metadata server: `projects/<number>/regions/<region>`. */
  readonly region: { value: string };
  /** GetOperation answers `done: false` this many times before the update is done. */
  readonly operationPolls: { value: number };
  /** Paths answered with PERMISSION_DENIED (prefix match on the request path). */
  readonly denied: Set<string>;
  readonly throttle: { remaining: number };
  readonly calls: { readonly method: string; readonly path: string; readonly body: unknown }[];
}

export const FAKE_GCP_TOKEN = 'fake-gcp-token';
const SERVICE_TYPE = 'type.googleapis.com/google.cloud.run.v2.Service';

export async function startFakeGcpRemoteOps(): Promise<FakeGcpRemoteOps> {
  const services = new Map<string, Record<string, unknown>>();
  const entries: Record<string, unknown>[] = [];
  const region = { value: 'projects/123456789/regions/us-central1' };
  const operationPolls = { value: 2 };
  const denied = new Set<string>();
  const throttle = { remaining: 0 };
  const calls: { method: string; path: string; body: unknown }[] = [];
  const operations = new Map<string, { polls: number; service: Record<string, unknown> }>();

  const server = await startLocalHttpServer((request, raw, response) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const path = decodeURIComponent(url.pathname);
    const body = raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as unknown) : undefined;
    calls.push({ method: request.method ?? '', path, body });

    if (path.startsWith('/computeMetadata/v1/')) {
      if (request.headers['metadata-flavor'] !== 'Google') {
        response.writeHead(403).end('Missing Metadata-Flavor');
      } else if (path === '/computeMetadata/v1/instance/region') {
        response.writeHead(200, { 'content-type': 'application/text', 'metadata-flavor': 'Google' }).end(region.value);
      } else {
        response.writeHead(404, { 'metadata-flavor': 'Google' }).end('Not found');
      }
      return;
    }
    if (request.headers.authorization !== `Bearer ${FAKE_GCP_TOKEN}`) {
      return googleError(response, 401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    }
    if (throttle.remaining > 0) {
      throttle.remaining -= 1;
      return googleError(response, 429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for quota metric Read requests');
    }
    if ([...denied].some((prefix) => path.startsWith(prefix))) {
      return googleError(response, 403, 'PERMISSION_DENIED', `Permission denied on resource ${path}`);
    }

    if (path === '/v2/entries:list' && request.method === 'POST') {
      const list = body as { resourceNames?: unknown; filter?: unknown; pageSize?: number; pageToken?: string };
      if (!Array.isArray(list.resourceNames) || list.resourceNames.length === 0) {
        return googleError(response, 400, 'INVALID_ARGUMENT', 'resourceNames is required');
      }
      const start = Number(list.pageToken ?? 0);
      const size = list.pageSize ?? 1000;
      const page = entries.slice(start, start + size);
      return sendJson(response, 200, {
        entries: page,
        ...(start + size < entries.length ? { nextPageToken: String(start + size) } : {}),
      });
    }

    const operation = /^\/v2\/(projects\/[^/]+\/locations\/[^/]+\/operations\/[^/]+)$/.exec(path)?.[1];
    if (operation && request.method === 'GET') {
      const state = operations.get(operation);
      if (!state) return googleError(response, 404, 'NOT_FOUND', `Operation ${operation} not found`);
      if (state.polls > 0) {
        state.polls -= 1;
        return sendJson(response, 200, { name: operation, done: false, metadata: { '@type': SERVICE_TYPE } });
      }
      return sendJson(response, 200, {
        name: operation,
        done: true,
        metadata: { '@type': SERVICE_TYPE },
        response: { '@type': SERVICE_TYPE, ...state.service },
      });
    }

    const name = /^\/v2\/(projects\/[^/]+\/locations\/[^/]+\/services\/[^/]+)$/.exec(path)?.[1];
    if (!name) return googleError(response, 404, 'NOT_FOUND', `No route ${request.method} ${path}`);
    const service = services.get(name);
    if (!service) return googleError(response, 404, 'NOT_FOUND', `Resource '${name}' was not found`);
    if (request.method === 'GET') return sendJson(response, 200, service);
    if (request.method === 'PATCH') {
      // The service's name travels in the path (`PATCH /v2/{service.name=…}`), the rest of it in the body.
      const update = body as { template?: { containers?: { image?: unknown }[] } };
      const image = update.template?.containers?.[0]?.image;
      if (typeof image !== 'string' || image === '') {
        return googleError(response, 400, 'INVALID_ARGUMENT', 'The service needs a container image');
      }
      const generation = Number(service.generation ?? 1) + 1;
      const revision = `${name.split('/').at(-1)}-${String(generation).padStart(5, '0')}-new`;
      const updated = {
        ...service,
        template: update.template,
        generation: String(generation),
        latestCreatedRevision: `${name}/revisions/${revision}`,
      };
      services.set(name, updated);
      const operationName = `${name.split('/services/')[0]}/operations/op-${generation}`;
      operations.set(operationName, { polls: operationPolls.value, service: updated });
      return sendJson(response, 200, { name: operationName, done: false, metadata: { '@type': SERVICE_TYPE } });
    }
    return googleError(response, 405, 'UNIMPLEMENTED', `Method ${request.method} not served`);
  });
  return { ...server, services, entries, region, operationPolls, denied, throttle, calls };
}

function googleError(response: ServerResponse, code: number, status: string, message: string) {
  sendJson(response, code, { error: { code, message, status } });
}

/**
 * Options for the real `ServicesClient` and `Logging`: REST fallback over plain HTTP to the fake, with a real OAuth2
 * client whose access token is preset (no token endpoint involved).
 */
export function fakeGcpRemoteOpsClients(fake: FakeGcpRemoteOps) {
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: FAKE_GCP_TOKEN, expiry_date: Date.now() + 3_600_000 });
  return { fallback: true, apiEndpoint: '127.0.0.1', port: fake.port, protocol: 'http', authClient };
}
