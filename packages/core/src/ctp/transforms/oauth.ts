import { isPlainObject } from '../template/template-values';
import { requestToken } from './token-endpoint';
import type { Transform } from './transform';

const GRANTS = ['client_credentials', 'password', 'refresh_token'] as const;
type Grant = (typeof GRANTS)[number];
const REQUIRED = ['client_id', 'client_secret', 'access_token_endpoint', 'grant_type'] as const;
const GRANT_FIELDS: Readonly<Record<Grant, readonly string[]>> = {
  client_credentials: [],
  password: ['username', 'password'],
  refresh_token: ['refresh_token'],
};

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
    const form: Record<string, string> = { grant_type: grant, client_id: clientId, client_secret: clientSecret };
    if (config.scope) form.scope = String(config.scope);
    for (const key of GRANT_FIELDS[grant as Grant]) form[key] = String(config[key]);
    const answer = await requestToken(step.services.network(), endpoint, {
      form,
      basic: { id: clientId, secret: clientSecret },
      timeoutMs: step.services.timeoutMs,
    });
    step.derive('token', answer.access_token);
    if (answer.refresh_token !== undefined) step.derive('refresh_token', answer.refresh_token);
    if (answer.expires_in !== undefined) step.derive('expires_in', answer.expires_in);
  },
};
