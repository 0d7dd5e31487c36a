import { OAuth2Client } from 'google-auth-library';
import { type LocalHttpServer, sendJson, startLocalHttpServer } from './local-http-server';

/**
 * An HTTP-level fake of GCP Secret Manager's REST surface (`GET /v1/{name}:access`), which the real
 * `SecretManagerServiceClient` calls when created with `fallback: true` (its HTTP/1.1 transport instead of gRPC).
 * Errors use Google's JSON error shape; the client maps their `status` to gRPC codes.
 */
export interface FakeGcpSecretManager extends LocalHttpServer {
  /** Full version name → payload text. */
  readonly versions: Map<string, string>;
  readonly denied: Set<string>;
  /** The next `remaining` accesses answer 429 RESOURCE_EXHAUSTED; `onThrottled` runs before each such answer. */
  readonly throttle: { remaining: number; onThrottled?: () => void };
  readonly calls: { readonly path: string; readonly authorization: string }[];
}

export async function startFakeGcpSecretManager(): Promise<FakeGcpSecretManager> {
  const versions = new Map<string, string>();
  const denied = new Set<string>();
  const throttle: FakeGcpSecretManager['throttle'] = { remaining: 0 };
  const calls: { path: string; authorization: string }[] = [];
  const server = await startLocalHttpServer((request, _body, response) => {
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    calls.push({ path, authorization: String(request.headers.authorization ?? '') });
    const name = /^\/v1\/(projects\/[^/]+\/secrets\/[^/]+\/versions\/[^/:]+):access$/.exec(path)?.[1];
    if (request.method !== 'GET' || !name) return googleError(response, 404, 'NOT_FOUND', `No route ${path}`);
    if (throttle.remaining > 0) {
      throttle.remaining -= 1;
      throttle.onThrottled?.();
      return googleError(response, 429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for quota metric Access requests');
    }
    if (denied.has(name)) {
      return googleError(
        response,
        403,
        'PERMISSION_DENIED',
        `Permission 'secretmanager.versions.access' denied for resource '${name}'`,
      );
    }
    const value = versions.get(name);
    if (value === undefined) return googleError(response, 404, 'NOT_FOUND', `Secret Version [${name}] not found.`);
    return sendJson(response, 200, { name, payload: { data: Buffer.from(value, 'utf8').toString('base64') } });
  });
  return { ...server, versions, denied, throttle, calls };
}

function googleError(response: Parameters<typeof sendJson>[0], code: number, status: string, message: string) {
  sendJson(response, code, { error: { code, message, status } });
}

/** Client options for the real SDK: REST fallback over plain HTTP to the fake, with a real OAuth2 client whose
 * access token is preset (no token endpoint involved). */
export function fakeGcpClients(fake: FakeGcpSecretManager) {
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: 'fake-gcp-token', expiry_date: Date.now() + 3_600_000 });
  return { fallback: true, apiEndpoint: '127.0.0.1', port: fake.port, protocol: 'http', authClient };
}
