import { createPublicKey, createVerify } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type LocalHttpServer, sendJson, startLocalHttpServer } from './local-http-server';

export interface FakeBigqueryRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface FakeBigquery extends LocalHttpServer {
  /** REST path (e.g. `/bigquery/v2/projects`) and method → JSON answer. Unknown paths answer Google's 404. */
  readonly routes: Map<string, unknown>;
  readonly requests: FakeBigqueryRequest[];
  /** Public keys (PEM) whose JWT-bearer assertions the token endpoint accepts, by client email. */
  readonly serviceAccounts: Map<string, string>;
  /** The access token handed out; API calls must carry it. */
  readonly accessToken: string;
  /** The next N API calls answer 429 rateLimitExceeded. */
  readonly throttle: { remaining: number };
}

const ACCESS_TOKEN = 'ya29.fake-bigquery-access-token';

/**
 * An HTTP-level fake of BigQuery's REST API (`/bigquery/v2/...`, Google's JSON error shape, 429 rateLimitExceeded)
 * and of an OAuth token endpoint at `/token` that accepts the JWT-bearer grant (RFC 7523) when the assertion is
 * signed by a known service account and addressed (`aud`) to this endpoint.
 */
export async function startFakeBigquery(): Promise<FakeBigquery> {
  const routes = new Map<string, unknown>();
  const requests: FakeBigqueryRequest[] = [];
  const serviceAccounts = new Map<string, string>();
  const throttle = { remaining: 0 };
  let tokenUri = '';
  const server = await startLocalHttpServer((request, body, response) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    requests.push({
      method: request.method ?? '',
      path: `${url.pathname}${url.search}`,
      headers: request.headers,
      body: body.toString('utf8'),
    });
    if (url.pathname === '/token') {
      const form = new URLSearchParams(body.toString('utf8'));
      const error = checkAssertion(form, serviceAccounts, tokenUri);
      if (error) return sendJson(response, 400, { error: 'invalid_grant', error_description: error });
      return sendJson(response, 200, { access_token: ACCESS_TOKEN, expires_in: 3599, token_type: 'Bearer' });
    }
    if (request.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) {
      return googleError(
        response,
        401,
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials.',
        'authError',
      );
    }
    if (throttle.remaining > 0) {
      throttle.remaining -= 1;
      return googleError(
        response,
        429,
        'RESOURCE_EXHAUSTED',
        'Exceeded rate limits: too many api requests per user per method for this user_method.',
        'rateLimitExceeded',
      );
    }
    const answer = routes.get(`${request.method} ${url.pathname}`);
    if (answer === undefined) return googleError(response, 404, 'NOT_FOUND', `Not found: ${url.pathname}`, 'notFound');
    sendJson(response, 200, answer);
  });
  tokenUri = `${server.url}/token`;
  return { ...server, routes, requests, serviceAccounts, accessToken: ACCESS_TOKEN, throttle };
}

function checkAssertion(form: URLSearchParams, accounts: Map<string, string>, tokenUri: string): string | undefined {
  if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return 'unsupported grant_type';
  const [header, payload, signature] = (form.get('assertion') ?? '').split('.');
  if (!header || !payload || !signature) return 'malformed assertion';
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
    iss?: string;
    aud?: string;
    scope?: string;
  };
  const key = accounts.get(claims.iss ?? '');
  if (!key) return 'Invalid JWT: unknown issuer';
  if (claims.aud !== tokenUri) return 'Invalid JWT: wrong audience';
  const valid = createVerify('RSA-SHA256')
    .update(`${header}.${payload}`)
    .verify(createPublicKey(key), Buffer.from(signature, 'base64url'));
  return valid ? undefined : 'Invalid JWT Signature.';
}

function googleError(
  response: Parameters<typeof sendJson>[0],
  code: number,
  status: string,
  message: string,
  reason: string,
) {
  sendJson(response, code, { error: { code, message, errors: [{ message, domain: 'global', reason }], status } });
}
