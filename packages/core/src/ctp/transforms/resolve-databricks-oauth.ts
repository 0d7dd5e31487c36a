import { type Transform, textInput } from './transform';

const REQUIRED = ['server_hostname', 'client_id', 'client_secret'] as const;

/**
 * `resolve_databricks_oauth` (Apollo's ResolveDatabricksOauthTransform): the OAuth credentials provider of a
 * Databricks SQL warehouse connection for a service principal: Azure Entra ID when `azure_tenant_id` and
 * `azure_workspace_resource_id` are both given, else Databricks-managed OAuth M2M. Apollo derived a callable that
 * `databricks-sql-connector` invokes when it needs a token; Artemis derives its data (`workspace_url`, the client and
 * the Azure ids), and the connector fetches and refreshes tokens from it through the SSRF guard, with the
 * connection's own TLS settings, when the connection needs one. Nothing is fetched here.
 */
export const resolveDatabricksOauth: Transform = {
  requiredInput: [...REQUIRED],
  optionalInput: ['azure_tenant_id', 'azure_workspace_resource_id', 'azure_login_endpoint'],
  requiredOutput: ['credentials_provider'],
  optionalOutput: [],
  run(step) {
    const [host, clientId, clientSecret] = REQUIRED.map((key) => {
      const value = textInput(step, key);
      if (value === undefined) throw new Error(`'${key}' must not be empty`);
      return value;
    }) as [string, string, string];
    const optional = (key: string) => textInput(step, key) ?? null;
    const bare = host.replace(/\/+$/, '');
    step.derive('credentials_provider', {
      // A host written as a URL keeps its scheme and port (a proxy, local development); a bare host is https.
      workspace_url: /^https?:\/\//i.test(bare) ? bare : `https://${bare}`,
      client_id: clientId,
      client_secret: clientSecret,
      azure_tenant_id: optional('azure_tenant_id'),
      azure_workspace_resource_id: optional('azure_workspace_resource_id'),
      azure_login_endpoint: optional('azure_login_endpoint'),
    });
  },
};
