import type { ServerResponse } from 'node:http';
import { FAKE_AZURE_TOKEN, fakeTokenCredential } from './fake-key-vault';
import { type LocalHttpServer, sendJson, startLocalHttpServer } from './local-http-server';
import { selfSignedCertificate } from './self-signed-certificate';

/**
 * An HTTPS fake of what the Azure Functions adapter's remote operations call: ARM's App Service API for one site
 * (GET site, GET/PATCH `config/web`, POST `config/appsettings/list`, PUT `config/appsettings`) and Azure Monitor's
 * resource-centric log query (`POST /v1/{resourceId}/query`). HTTPS because the SDKs send bearer tokens over TLS
 * only. It checks the token, the api-version and the bodies, and answers ARM's error shapes (403
 * AuthorizationFailed, 429 with Retry-After).
 */
export interface FakeAzureRemoteOps extends LocalHttpServer {
  readonly ca: string;
  /** The site's resource path: `/subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.Web/sites/<name>`. */
  readonly sitePath: string;
  readonly site: { linuxFxVersion: string; appSettings: Record<string, string> };
  /** Log query answer: column descriptors and rows, as the service sends them (times and dynamics as strings). */
  readonly logTable: { columns: { name: string; type: string }[]; rows: unknown[][] };
  /** ARM actions (e.g. `Microsoft.Web/sites/config/write`) answered AuthorizationFailed. */
  readonly denied: Set<string>;
  readonly throttle: { remaining: number };
  readonly calls: { readonly method: string; readonly path: string; readonly query: string; readonly body: unknown }[];
}

export async function startFakeAzureRemoteOps(site: {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}): Promise<FakeAzureRemoteOps> {
  const sitePath = `/subscriptions/${site.subscriptionId}/resourceGroups/${site.resourceGroup}/providers/Microsoft.Web/sites/${site.name}`;
  const state = { linuxFxVersion: '', appSettings: {} as Record<string, string> };
  const logTable = { columns: [] as { name: string; type: string }[], rows: [] as unknown[][] };
  const denied = new Set<string>();
  const throttle = { remaining: 0 };
  const calls: { method: string; path: string; query: string; body: unknown }[] = [];
  const tls = selfSignedCertificate();

  const server = await startLocalHttpServer((request, raw, response) => {
    const url = new URL(request.url ?? '/', 'https://fake');
    const body = raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as unknown) : undefined;
    const method = request.method ?? '';
    calls.push({ method, path: url.pathname, query: url.search, body });
    if (request.headers.authorization !== `Bearer ${FAKE_AZURE_TOKEN}`) {
      return armError(response, 401, 'AuthenticationFailed', 'Authentication failed.');
    }
    if (throttle.remaining > 0) {
      throttle.remaining -= 1;
      return sendJson(
        response,
        429,
        { error: { code: 'TooManyRequests', message: 'The request is being throttled.' } },
        { 'retry-after': '0' },
      );
    }

    if (url.pathname.startsWith('/v1/') && url.pathname.endsWith('/query') && method === 'POST') {
      const query = body as { query?: unknown; timespan?: unknown };
      if (typeof query.query !== 'string' || typeof query.timespan !== 'string') {
        return armError(response, 400, 'BadArgumentError', 'The request had some invalid properties');
      }
      if (denied.has('Microsoft.Insights/components/query/read')) {
        return armError(response, 403, 'InsufficientAccessError', 'The provided credentials have insufficient access');
      }
      return sendJson(response, 200, { tables: [{ name: 'PrimaryResult', ...logTable }] });
    }

    if (!url.searchParams.get('api-version'))
      return armError(response, 400, 'MissingApiVersionParameter', 'api-version is required');
    const action = armAction(method, url.pathname.slice(sitePath.length));
    if (!url.pathname.startsWith(sitePath) || !action) {
      return armError(response, 404, 'ResourceNotFound', `The Resource '${url.pathname}' was not found.`);
    }
    if (denied.has(action)) {
      return armError(
        response,
        403,
        'AuthorizationFailed',
        `The client 'artemis-identity' does not have authorization to perform action '${action}' over scope '${sitePath}'`,
      );
    }
    const sub = url.pathname.slice(sitePath.length);
    if (sub === '' && method === 'GET') {
      return sendJson(response, 200, {
        id: sitePath,
        name: site.name,
        type: 'Microsoft.Web/sites',
        kind: 'functionapp,linux,container',
        location: 'somewhere',
        properties: { state: 'Running', siteConfig: { linuxFxVersion: state.linuxFxVersion } },
      });
    }
    if (sub === '/config/web' && method === 'GET') return sendJson(response, 200, webConfig());
    if (sub === '/config/web' && method === 'PATCH') {
      const update = body as { properties?: { linuxFxVersion?: unknown } };
      const linuxFxVersion = update.properties?.linuxFxVersion;
      if (typeof linuxFxVersion !== 'string' || !linuxFxVersion.startsWith('DOCKER|')) {
        return armError(response, 400, 'BadRequest', 'linuxFxVersion must be DOCKER|<image>');
      }
      state.linuxFxVersion = linuxFxVersion;
      return sendJson(response, 200, webConfig());
    }
    if (sub === '/config/appsettings/list' && method === 'POST') {
      return sendJson(response, 200, {
        id: `${sitePath}/config/appsettings`,
        name: 'appsettings',
        properties: state.appSettings,
      });
    }
    if (sub === '/config/appsettings' && method === 'PUT') {
      const properties = (body as { properties?: unknown }).properties;
      if (typeof properties !== 'object' || properties === null) {
        return armError(response, 400, 'BadRequest', 'properties is required');
      }
      state.appSettings = properties as Record<string, string>;
      return sendJson(response, 200, { id: `${sitePath}/config/appsettings`, name: 'appsettings', properties });
    }
    return armError(response, 405, 'MethodNotAllowed', `${method} ${sub}`);
  }, tls);

  function webConfig() {
    return {
      id: `${sitePath}/config/web`,
      name: 'web',
      type: 'Microsoft.Web/sites/config',
      properties: { linuxFxVersion: state.linuxFxVersion, numberOfWorkers: 1 },
    };
  }

  return { ...server, ca: tls.cert, sitePath, site: state, logTable, denied, throttle, calls };
}

/** The RBAC action an ARM call needs, as the templates grant them. */
function armAction(method: string, sub: string): string | undefined {
  if (sub === '' && method === 'GET') return 'Microsoft.Web/sites/read';
  if (sub === '/config/web' && method === 'GET') return 'Microsoft.Web/sites/config/read';
  if (sub === '/config/web' && method === 'PATCH') return 'Microsoft.Web/sites/config/write';
  if (sub === '/config/appsettings/list' && method === 'POST') return 'Microsoft.Web/sites/config/list/action';
  if (sub === '/config/appsettings' && method === 'PUT') return 'Microsoft.Web/sites/config/write';
  return undefined;
}

function armError(response: ServerResponse, status: number, code: string, message: string) {
  sendJson(response, status, { error: { code, message } });
}

/** Options for the real WebSiteManagementClient and LogsQueryClient: the fake's endpoint and certificate. */
export function fakeAzureRemoteOpsClients(fake: FakeAzureRemoteOps) {
  const transport = { tlsOptions: { ca: fake.ca }, retryOptions: { retryDelayInMs: 10, maxRetries: 2 } };
  return {
    credential: fakeTokenCredential,
    arm: { endpoint: fake.url, ...transport },
    logs: { endpoint: `${fake.url}/v1`, ...transport },
  };
}
