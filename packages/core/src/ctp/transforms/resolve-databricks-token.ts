import { databricksTokenSource } from './databricks-token-source';
import { type Transform, textInput } from './transform';

/**
 * `resolve_databricks_token` (Apollo's ResolveDatabricksTokenTransform): the access token a Databricks REST client
 * sends. OAuth comes first when `client_id` and `client_secret` are both given (a customer who moved from a personal
 * access token to OAuth may still have the stale PAT in the credentials): Azure Entra ID when `azure_tenant_id` and
 * `azure_workspace_resource_id` are given too, else Databricks-managed OAuth M2M, each fetched through the SSRF
 * guard; otherwise the personal access token `databricks_token` as it is.
 */
export const resolveDatabricksToken: Transform = {
  requiredInput: [],
  optionalInput: [
    'workspace_url',
    'databricks_token',
    'client_id',
    'client_secret',
    'azure_tenant_id',
    'azure_workspace_resource_id',
    'azure_login_endpoint',
  ],
  requiredOutput: ['token'],
  optionalOutput: [],
  async run(step) {
    const text = (key: string) => textInput(step, key);
    const workspaceUrl = text('workspace_url');
    if (!workspaceUrl) throw new Error("'workspace_url' must not be empty");
    const clientId = text('client_id');
    const clientSecret = text('client_secret');
    if (clientId && clientSecret) {
      const source = databricksTokenSource(
        step.services.network(),
        {
          workspace_url: workspaceUrl,
          client_id: clientId,
          client_secret: clientSecret,
          azure_tenant_id: text('azure_tenant_id') ?? null,
          azure_workspace_resource_id: text('azure_workspace_resource_id') ?? null,
          azure_login_endpoint: text('azure_login_endpoint') ?? null,
        },
        { timeoutMs: step.services.timeoutMs, now: step.services.now },
      );
      step.derive('token', await source.accessToken());
      return;
    }
    const pat = text('databricks_token');
    if (pat) {
      step.derive('token', pat);
      return;
    }
    throw new Error(
      "No supported Databricks credentials found. Provide 'client_id'+'client_secret' for OAuth or 'databricks_token' for PAT.",
    );
  },
};
