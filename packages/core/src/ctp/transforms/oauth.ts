import { AgentError } from '../../errors/agent-errors';
import { guardedRequest } from '../../network/guarded-http';
import { isPlainObject } from '../template/template-values';
import type { Transform } from './transform';

const GRANTS = ['client_credentials', 'password', 'refresh_token'] as const;
type Grant = (typeof GRANTS)[number];
const REQUIRED = ['client_id', 'client_secret', 'access_token_endpoint', 'grant_type'] as const;
const GRANT_FIELDS: Readonly<Record<Grant, readonly string[]>> = {
  client_credentials: [],
  password: ['username', 'password'],
  refresh_token: ['refresh_token'],
};
/** A token answer is small; a larger one is refused rather than read into memory. */
const MAX_TOKEN_RESPONSE_BYTES = 256 * 1024;

/**
 * `oauth` (Apollo's OAuthTransform): an OAuth 2.0 access token from `oauth.access_token_endpoint`, by the
 * client-credentials, password or refresh-token grant. The client authenticates with both an HTTP Basic header and
 * form parameters, as Apollo does (some servers want one, some the other). The request goes through the agent's
 * SSRF guard. Derives `token` (the access token) and, when asked, `refresh_token` and `expires_in`.
 */
export const oauth: Transform = {
  requiredInput: ['oauth'],
  optionalInput: [],
  requiredOutput: ['token'],
  optionalOutput: ['refresh_token', 'expires_in'],
  async run(step) {
    const config = step.input('oauth');
    if (!isPlainObject(config)) throw new Error("'oauth' must resolve to a dict");
    for (const key of REQUIRED) {
      if (!config[key]) throw new Error(`'${key}' is required in oauth config`);
    }
    const grant = String(config.grant_type);
    if (!(GRANTS as readonly string[]).includes(grant)) {
      throw new Error(`Unsupported grant_type '${grant}'; supported: ${GRANTS.join(', ')}`);
    }
    for (const key of GRANT_FIELDS[grant as Grant]) {
      if (!config[key]) throw new Error(`'${key}' is required in oauth config for ${grant} grant`);
    }
    const endpoint = String(config.access_token_endpoint);
    if (!/^https?:\/\//i.test(endpoint)) throw new Error("'access_token_endpoint' must be an http(s) URL");
    const clientId = String(config.client_id);
    const clientSecret = String(config.client_secret);
    const form = new URLSearchParams({ grant_type: grant, client_id: clientId, client_secret: clientSecret });
    if (config.scope) form.set('scope', String(config.scope));
    for (const key of GRANT_FIELDS[grant as Grant]) form.set(key, String(config[key]));

    let response: Awaited<ReturnType<typeof guardedRequest>>;
    try {
      response = await guardedRequest(step.services.network(), endpoint, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`, 'utf8').toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
        timeoutMs: step.services.timeoutMs,
        maxBodyBytes: MAX_TOKEN_RESPONSE_BYTES,
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
    step.derive('token', body.access_token);
    if (typeof body.refresh_token === 'string') step.derive('refresh_token', body.refresh_token);
    if (typeof body.expires_in === 'number') step.derive('expires_in', body.expires_in);
  },
};
