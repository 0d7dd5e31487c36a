import { AgentError } from '../../errors/agent-errors';
import { guardedRequest } from '../../network/guarded-http';
import type { NetworkGuard } from '../../network/network-guard';
import { isPlainObject } from '../template/template-values';
import { requestToken, type TokenAnswer } from './token-endpoint';

export interface TokenTransport {
  readonly timeoutMs: number;
  /** TLS trust for requests to the workspace host itself (its CA), never for other hosts. */
  readonly workspaceTls?: { readonly ca?: string; readonly rejectUnauthorized?: boolean };
}

/**
 * Databricks-managed OAuth for a service principal (machine to machine), as the Databricks SDK's
 * `oauth_service_principal` does it: the workspace's authorization-server metadata
 * (`/oidc/.well-known/oauth-authorization-server`) names the token endpoint, then a client-credentials grant with
 * scope `all-apis`, the client authenticated with HTTP Basic. Both requests go through the SSRF guard.
 */
export async function databricksM2mToken(
  guard: NetworkGuard,
  workspaceUrl: string,
  client: { readonly id: string; readonly secret: string },
  transport: TokenTransport,
): Promise<TokenAnswer> {
  const workspace = new URL(workspaceUrl);
  const tlsFor = (url: string) => (new URL(url).origin === workspace.origin ? (transport.workspaceTls ?? {}) : {});
  const discovery = `${workspace.origin}/oidc/.well-known/oauth-authorization-server`;
  let metadata: unknown;
  try {
    const response = await guardedRequest(guard, discovery, {
      headers: { accept: 'application/json' },
      timeoutMs: transport.timeoutMs,
      maxBodyBytes: 256 * 1024,
      ...tlsFor(discovery),
    });
    if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
    metadata = JSON.parse(response.body.toString('utf8'));
  } catch (error) {
    if (error instanceof AgentError) throw error;
    throw Object.assign(
      new Error(
        `Databricks OAuth: the workspace's authorization server metadata (${discovery}) could not be read: ${(error as Error).message}`,
      ),
      { cause: error },
    );
  }
  const endpoint = isPlainObject(metadata) ? metadata.token_endpoint : undefined;
  if (typeof endpoint !== 'string') {
    throw new Error(`Databricks OAuth: ${discovery} names no token_endpoint`);
  }
  return requestToken(guard, endpoint, {
    form: { grant_type: 'client_credentials', scope: 'all-apis' },
    basic: client,
    timeoutMs: transport.timeoutMs,
    ...tlsFor(endpoint),
  });
}
