import { AgentError } from '../../errors/agent-errors';
import { guardedRequest } from '../../network/guarded-http';
import type { NetworkGuard } from '../../network/network-guard';
import { isPlainObject } from '../template/template-values';

/** A token answer is small; a larger one is refused rather than read into memory. */
const MAX_TOKEN_RESPONSE_BYTES = 256 * 1024;

/** What an OAuth 2.0 token endpoint answered (RFC 6749 §5.1). */
export interface TokenAnswer {
  readonly access_token: string;
  readonly token_type?: string;
  readonly refresh_token?: string;
  /** Seconds; Azure's v1 endpoint writes it as a string, which is read as the number it holds. */
  readonly expires_in?: number;
}

export interface TokenRequest {
  /** The form parameters (`grant_type`, `scope`, `resource`, the client's own id and secret when sent in the form). */
  readonly form: Readonly<Record<string, string>>;
  /** HTTP Basic client authentication (RFC 6749 §2.3.1). */
  readonly basic?: { readonly id: string; readonly secret: string };
  readonly timeoutMs: number;
  /** CA certificates to trust (PEM) instead of the default roots, and whether to verify at all. */
  readonly ca?: string;
  readonly rejectUnauthorized?: boolean;
}

/**
 * POSTs a token request to `endpoint` through the agent's SSRF guard and reads the access token. Failures are
 * worded without any credential: the endpoint's status, or what the answer lacked.
 */
export async function requestToken(guard: NetworkGuard, endpoint: string, request: TokenRequest): Promise<TokenAnswer> {
  if (!/^https?:\/\//i.test(endpoint)) throw new Error('the token endpoint must be an http(s) URL');
  let response: Awaited<ReturnType<typeof guardedRequest>>;
  try {
    response = await guardedRequest(guard, endpoint, {
      method: 'POST',
      headers: {
        ...(request.basic
          ? {
              authorization: `Basic ${Buffer.from(`${request.basic.id}:${request.basic.secret}`, 'utf8').toString('base64')}`,
            }
          : {}),
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams(request.form).toString(),
      timeoutMs: request.timeoutMs,
      maxBodyBytes: MAX_TOKEN_RESPONSE_BYTES,
      ...(request.ca !== undefined ? { ca: request.ca } : {}),
      ...(request.rejectUnauthorized !== undefined ? { rejectUnauthorized: request.rejectUnauthorized } : {}),
    });
  } catch (error) {
    // The guard's refusals (Forbidden) are answered as they are.
    if (error instanceof AgentError) throw error;
    throw Object.assign(new Error(`Token request failed: ${(error as Error).message}`), { cause: error });
  }
  if (response.status < 200 || response.status >= 300) {
    throw new Error(`Token endpoint returned HTTP ${response.status}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(response.body.toString('utf8'));
  } catch {
    throw new Error('Token endpoint returned a non-JSON response');
  }
  if (!isPlainObject(body) || typeof body.access_token !== 'string') {
    const keys = isPlainObject(body) ? Object.keys(body).sort().join(', ') : typeof body;
    throw new Error(`Token endpoint response missing 'access_token'; got keys: [${keys}]`);
  }
  const expiresIn = Number(body.expires_in);
  return {
    access_token: body.access_token,
    ...(typeof body.token_type === 'string' ? { token_type: body.token_type } : {}),
    ...(typeof body.refresh_token === 'string' ? { refresh_token: body.refresh_token } : {}),
    ...(body.expires_in !== undefined && Number.isFinite(expiresIn) ? { expires_in: expiresIn } : {}),
  };
}
