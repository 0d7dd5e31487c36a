import { createSign } from 'node:crypto';
import { type ConnectorContext, guardedRequest, OperationError } from '@artemis/core';

/** The token endpoint Google's keys name (and the default when a key names none). */
const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const LIFETIME_SECONDS = 3600;

export interface ServiceAccount {
  readonly client_email: string;
  readonly private_key: string;
  readonly private_key_id?: string | null;
  readonly token_uri?: string | null;
}

/**
 * An access token for a service account by the JWT-bearer grant (RFC 7523), sent to the key's own `token_uri` as
 * google-auth (Python) does; google-auth-library for Node always posts to oauth2.googleapis.com. The assertion is an
 * RS256 JWT signed with the key; the request goes through the SSRF guard. Errors name the endpoint's status and its
 * OAuth error code, never the key.
 */
export async function serviceAccountToken(
  account: ServiceAccount,
  scopes: readonly string[],
  context: ConnectorContext,
  now: () => number = Date.now,
): Promise<{ access_token: string; expiry_date: number }> {
  const tokenUri = account.token_uri || GOOGLE_TOKEN_URI;
  const issuedAt = Math.floor(now() / 1000);
  const assertion = signJwt(account, {
    iss: account.client_email,
    scope: scopes.join(' '),
    aud: tokenUri,
    iat: issuedAt,
    exp: issuedAt + LIFETIME_SECONDS,
  });
  const response = await guardedRequest(context.network, tokenUri, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ grant_type: JWT_BEARER, assertion }).toString(),
    timeoutMs: Math.min(30_000, context.config.operationTimeoutSeconds * 1000),
    maxBodyBytes: 256 * 1024,
  });
  let body: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } = {};
  try {
    body = JSON.parse(response.body.toString('utf8')) as typeof body;
  } catch {
    // reported below with the status
  }
  if (response.status !== 200 || typeof body.access_token !== 'string') {
    const reason =
      typeof body.error === 'string'
        ? `: ${body.error}${typeof body.error_description === 'string' ? ` (${body.error_description})` : ''}`
        : '';
    throw new OperationError(
      `RefreshError: the token endpoint ${new URL(tokenUri).host} answered HTTP ${response.status}${reason}`,
    );
  }
  const lifetime = typeof body.expires_in === 'number' ? body.expires_in : LIFETIME_SECONDS;
  return { access_token: body.access_token, expiry_date: now() + lifetime * 1000 };
}

function signJwt(account: ServiceAccount, claims: Record<string, unknown>): string {
  const header = { alg: 'RS256', typ: 'JWT', ...(account.private_key_id ? { kid: account.private_key_id } : {}) };
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode(header)}.${encode(claims)}`;
  try {
    return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(account.private_key, 'base64url')}`;
  } catch (error) {
    throw new OperationError(
      `Invalid service account private_key: ${(error as { code?: string }).code ?? 'cannot sign'}`,
    );
  }
}
