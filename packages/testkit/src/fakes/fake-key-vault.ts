import type { AccessToken, TokenCredential } from '@azure/identity';
import { type LocalHttpServer, sendJson, startLocalHttpServer } from './local-http-server';
import { selfSignedCertificate } from './self-signed-certificate';

/**
 * An HTTPS fake of the Azure Key Vault secrets REST API (`GET /secrets/{name}/{version?}`), including its
 * challenge-based authentication: an unauthenticated request gets 401 + `WWW-Authenticate`, the client then asks
 * its TokenCredential for a token and retries with `Authorization: Bearer …`. HTTPS because the SDK refuses to send
 * a bearer token over plain HTTP.
 */
export interface FakeKeyVault extends LocalHttpServer {
  readonly ca: string;
  readonly secrets: Map<string, string>;
  readonly denied: Set<string>;
  readonly throttle: { remaining: number };
  readonly calls: { readonly path: string; readonly authorization: string }[];
}

export const FAKE_AZURE_TOKEN = 'fake-azure-token';

export async function startFakeKeyVault(): Promise<FakeKeyVault> {
  const secrets = new Map<string, string>();
  const denied = new Set<string>();
  const throttle = { remaining: 0 };
  const calls: { path: string; authorization: string }[] = [];
  const tls = selfSignedCertificate();
  const server = await startLocalHttpServer((request, _body, response) => {
    const url = new URL(request.url ?? '/', 'https://fake');
    const authorization = String(request.headers.authorization ?? '');
    calls.push({ path: url.pathname, authorization });
    if (authorization !== `Bearer ${FAKE_AZURE_TOKEN}`) {
      return sendJson(
        response,
        401,
        { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } },
        {
          'www-authenticate':
            'Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000", resource="https://vault.azure.net"',
        },
      );
    }
    if (throttle.remaining > 0) {
      throttle.remaining -= 1;
      return sendJson(
        response,
        429,
        { error: { code: 'Throttled', message: 'Rate limit is exceeded.' } },
        { 'retry-after': '0' },
      );
    }
    const name = /^\/secrets\/([^/]+)\/?[^/]*$/.exec(url.pathname)?.[1];
    if (!name) return sendJson(response, 404, { error: { code: 'NotFound', message: `No route ${url.pathname}` } });
    if (denied.has(name)) {
      return sendJson(response, 403, {
        error: {
          code: 'Forbidden',
          message: `The user does not have secrets get permission on key vault for ${name}`,
          innererror: { code: 'AccessDenied' },
        },
      });
    }
    const value = secrets.get(name);
    if (value === undefined) {
      return sendJson(response, 404, {
        error: { code: 'SecretNotFound', message: `A secret with (name/id) ${name} was not found in this key vault.` },
      });
    }
    return sendJson(response, 200, {
      value,
      id: `https://127.0.0.1/secrets/${name}/0123456789abcdef`,
      attributes: { enabled: true },
    });
  }, tls);
  return { ...server, ca: tls.cert, secrets, denied, throttle, calls };
}

/** A token credential at the HTTP level's edge: the one piece of Azure identity a test cannot run. */
export const fakeTokenCredential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({ token: FAKE_AZURE_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }),
};

/** Options for the real SecretClient: trust the fake's certificate; the challenge names the real Key Vault
 * resource, which does not match 127.0.0.1, hence the verification opt-out. */
export function fakeAzureClients(fake: FakeKeyVault) {
  return {
    credential: fakeTokenCredential,
    client: {
      tlsOptions: { ca: fake.ca },
      disableChallengeResourceVerification: true,
      retryOptions: { retryDelayInMs: 10 },
    },
  };
}
