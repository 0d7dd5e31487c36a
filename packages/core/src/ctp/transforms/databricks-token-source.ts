import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { NetworkGuard } from '../../network/network-guard';
import { AZURE_DATABRICKS_RESOURCE, azureAdToken, azureCloudOf } from './azure-ad-token';
import { databricksM2mToken } from './databricks-m2m-token';
import type { TokenAnswer } from './token-endpoint';

/**
 * A service principal's OAuth credentials for a Databricks workspace: Databricks-managed (OAuth M2M), or Azure Entra
 * ID when both `azure_tenant_id` and `azure_workspace_resource_id` are given (Apollo's rule).
 */
export interface DatabricksOAuthCredentials {
  /** `https://<workspace host>` (a URL with another scheme or a port is kept as given). */
  readonly workspace_url: string;
  readonly client_id: string;
  readonly client_secret: string;
  readonly azure_tenant_id?: string | null;
  readonly azure_workspace_resource_id?: string | null;
  /** Entra ID's login endpoint; by default the one of the workspace's Azure cloud (public, US Gov, China). */
  readonly azure_login_endpoint?: string | null;
}

export interface DatabricksTokenSourceOptions {
  readonly timeoutMs: number;
  /** TLS trust for the workspace host itself (M2M discovery and token endpoint), never for Entra ID. */
  readonly workspaceTls?: { readonly ca?: string; readonly rejectUnauthorized?: boolean };
  readonly now?: () => number;
}

/** A token is renewed this long before it expires, so a request never leaves with one about to lapse. */
const REFRESH_MARGIN_MS = 60_000;
/** A token endpoint that says nothing of the lifetime: assume an hour, Databricks' and Entra ID's default. */
const DEFAULT_LIFETIME_S = 3600;

interface Held {
  readonly answer: TokenAnswer;
  readonly expiresAt: number;
}

/**
 * The headers that authenticate a request to a Databricks workspace as a service principal, from tokens fetched
 * through the SSRF guard and kept until shortly before they expire (the Databricks SDK's refreshing header factory):
 * `Authorization: Bearer …`, and for Azure the workspace resource id and a management token, as the SDK sends them.
 * One fetch runs at a time; concurrent callers share it.
 */
export class DatabricksTokenSource {
  readonly #guard: NetworkGuard;
  readonly #credentials: DatabricksOAuthCredentials;
  readonly #options: DatabricksTokenSourceOptions;
  readonly #held = new Map<string, Held>();
  readonly #fetching = new Map<string, Promise<Held>>();

  constructor(guard: NetworkGuard, credentials: DatabricksOAuthCredentials, options: DatabricksTokenSourceOptions) {
    this.#guard = guard;
    this.#credentials = credentials;
    this.#options = options;
  }

  get isAzure(): boolean {
    return Boolean(this.#credentials.azure_tenant_id && this.#credentials.azure_workspace_resource_id);
  }

  /** The workspace access token (what Apollo's REST client sends as its Bearer token). */
  async accessToken(): Promise<string> {
    const token = await this.#token(this.isAzure ? AZURE_DATABRICKS_RESOURCE : 'workspace');
    if (!token.access_token) throw new Error('Databricks OAuth provider returned an empty token');
    return token.access_token;
  }

  /** Every header the SDK's header factory sends. */
  async headers(): Promise<Record<string, string>> {
    const access = await this.accessToken();
    if (!this.isAzure) return { Authorization: `Bearer ${access}` };
    const host = new URL(this.#credentials.workspace_url).hostname;
    const management = await this.#token(azureCloudOf(host).management);
    return {
      Authorization: `Bearer ${access}`,
      'X-Databricks-Azure-Workspace-Resource-Id': String(this.#credentials.azure_workspace_resource_id),
      'X-Databricks-Azure-SP-Management-Token': management.access_token,
    };
  }

  async #token(resource: string): Promise<TokenAnswer> {
    const now = (this.#options.now ?? Date.now)();
    const held = this.#held.get(resource);
    if (held && now < held.expiresAt - REFRESH_MARGIN_MS) return held.answer;
    let fetching = this.#fetching.get(resource);
    if (!fetching) {
      fetching = this.#fetch(resource).then((answer) => {
        const fetched = { answer, expiresAt: now + (answer.expires_in ?? DEFAULT_LIFETIME_S) * 1000 };
        this.#held.set(resource, fetched);
        return fetched;
      });
      const settled = () => this.#fetching.delete(resource);
      fetching.then(settled, settled);
      this.#fetching.set(resource, fetching);
    }
    return (await fetching).answer;
  }

  #fetch(resource: string): Promise<TokenAnswer> {
    const credentials = this.#credentials;
    const { timeoutMs, workspaceTls } = this.#options;
    if (!this.isAzure) {
      return databricksM2mToken(
        this.#guard,
        credentials.workspace_url,
        { id: credentials.client_id, secret: credentials.client_secret },
        { timeoutMs, ...(workspaceTls ? { workspaceTls } : {}) },
      );
    }
    const host = new URL(credentials.workspace_url).hostname;
    return azureAdToken(
      this.#guard,
      {
        loginEndpoint: credentials.azure_login_endpoint || azureCloudOf(host).login,
        tenantId: String(credentials.azure_tenant_id),
        clientId: credentials.client_id,
        clientSecret: credentials.client_secret,
        resource,
      },
      timeoutMs,
    );
  }
}

/** Sources by guard, then by a digest of the credentials (the secret is never a key), as Apollo's `_oauth_cache`. */
const sources = new WeakMap<NetworkGuard, LRUCache<string, DatabricksTokenSource>>();

/**
 * The token source for these credentials, shared by every client and pipeline run of the agent that uses them, so
 * tokens are fetched once an hour rather than once per client (Apollo caches its header factories for the same
 * reason). At most 128 are kept.
 */
export function databricksTokenSource(
  guard: NetworkGuard,
  credentials: DatabricksOAuthCredentials,
  options: DatabricksTokenSourceOptions,
): DatabricksTokenSource {
  let cache = sources.get(guard);
  if (!cache) {
    cache = new LRUCache({ max: 128 });
    sources.set(guard, cache);
  }
  const key = createHash('sha256')
    .update(
      JSON.stringify([
        credentials.workspace_url,
        credentials.client_id,
        credentials.client_secret,
        credentials.azure_tenant_id || null,
        credentials.azure_workspace_resource_id || null,
        credentials.azure_login_endpoint || null,
        options.workspaceTls?.ca ?? null,
        options.workspaceTls?.rejectUnauthorized ?? null,
      ]),
    )
    .digest('hex');
  let source = cache.get(key);
  if (!source) {
    source = new DatabricksTokenSource(guard, credentials, options);
    cache.set(key, source);
  }
  return source;
}
