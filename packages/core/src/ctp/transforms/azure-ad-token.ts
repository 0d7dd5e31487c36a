import type { NetworkGuard } from '../../network/network-guard';
import { requestToken, type TokenAnswer } from './token-endpoint';

/** The application id of Azure Databricks in Entra ID: the resource a workspace token is issued for. */
export const AZURE_DATABRICKS_RESOURCE = '2ff814a6-3304-4ab8-85cb-cd0e6f879c1d';

/** The Azure cloud a workspace lives in, by its host name, with that cloud's login and management endpoints. */
export function azureCloudOf(workspaceHost: string): { readonly login: string; readonly management: string } {
  if (/\.databricks\.azure\.us$/i.test(workspaceHost)) {
    return { login: 'https://login.microsoftonline.us/', management: 'https://management.core.usgovcloudapi.net/' };
  }
  if (/\.databricks\.azure\.cn$/i.test(workspaceHost)) {
    return { login: 'https://login.chinacloudapi.cn/', management: 'https://management.core.chinacloudapi.cn/' };
  }
  return { login: 'https://login.microsoftonline.com/', management: 'https://management.core.windows.net/' };
}

/**
 * An Azure Entra ID (Azure AD) token for a service principal by the client-credentials grant, as the Databricks
 * SDK's `azure_service_principal` asks for it: the tenant's v1 endpoint (`<login>/<tenant>/oauth2/token`) with the
 * client's id and secret in the form and the `resource` the token is for. Through the SSRF guard.
 */
export function azureAdToken(
  guard: NetworkGuard,
  request: {
    readonly loginEndpoint: string;
    readonly tenantId: string;
    readonly clientId: string;
    readonly clientSecret: string;
    readonly resource: string;
  },
  timeoutMs: number,
): Promise<TokenAnswer> {
  const login = request.loginEndpoint.endsWith('/') ? request.loginEndpoint : `${request.loginEndpoint}/`;
  return requestToken(guard, `${login}${encodeURIComponent(request.tenantId)}/oauth2/token`, {
    form: {
      grant_type: 'client_credentials',
      client_id: request.clientId,
      client_secret: request.clientSecret,
      resource: request.resource,
    },
    timeoutMs,
  });
}
