import { SECRET_NAME } from '../../logging/redact';

/*
 * Which environment variables the `env_var` source may hand to a connector (issue 9 finding 6). The connector sends
 * what it gets wherever the control plane says (an http connector to any URL), so the platform's own credentials and
 * the agent's own secrets are never readable, whatever MCD_CREDENTIALS_ENV_VARS says; when that allow-list is set,
 * only the names and `PREFIX_*` prefixes it lists are.
 */

/** The platforms' credentials, and pointers to them: the identity the agent itself runs with. Upper case. */
const PLATFORM_NAMES = new Set([
  // AWS: static keys, session tokens, web identity (EKS/IRSA), the profile files.
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  // Google: the service-account key file, access tokens handed to gcloud.
  'GOOGLE_APPLICATION_CREDENTIALS',
  'GOOGLE_OAUTH_ACCESS_TOKEN',
  'CLOUDSDK_AUTH_ACCESS_TOKEN_FILE',
  // Azure: environment credentials, workload identity, storage keys, the Functions host's own secrets.
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PATH',
  'AZURE_CLIENT_CERTIFICATE_PASSWORD',
  'AZURE_PASSWORD',
  'AZURE_FEDERATED_TOKEN_FILE',
  'AZURE_STORAGE_KEY',
  'AZURE_STORAGE_CONNECTION_STRING',
  'AZURE_STORAGE_SAS_TOKEN',
  'WEBSITE_AUTH_ENCRYPTION_KEY',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'CONTAINER_ENCRYPTION_KEY',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  // The agent's own: MCD_ADDITIONAL_ENV_VARS may carry any of the above.
  'MCD_ADDITIONAL_ENV_VARS',
]);
const PLATFORM_PREFIXES = [
  // ECS/EKS Pod Identity and Lambda SnapStart credential endpoints and their authorization tokens.
  'AWS_CONTAINER_CREDENTIALS_',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  // Azure managed identity endpoints and headers (App Service, Functions, Container Apps).
  'IDENTITY_',
  'MSI_',
  // Azure Functions' storage connection (`AzureWebJobsStorage`, `AzureWebJobsStorage__…`).
  'AZUREWEBJOBS',
];

/** Azure App Service mirrors every app setting as APPSETTING_<name>: judged as <name>. */
const AZURE_MIRROR = 'APPSETTING_';

/** True when `name` may be read as self-hosted credentials under `allowList` (undefined: no allow-list). */
export function mayReadCredentialsVariable(name: string, allowList: readonly string[] | undefined): boolean {
  // Windows (Azure Functions on Windows) compares names without case; so does this.
  const upper = name.toUpperCase();
  const own = upper.startsWith(AZURE_MIRROR) ? upper.slice(AZURE_MIRROR.length) : upper;
  if (PLATFORM_NAMES.has(own) || PLATFORM_PREFIXES.some((prefix) => own.startsWith(prefix))) return false;
  if (own.startsWith('MCD_') && SECRET_NAME.test(own)) return false;
  return allowList === undefined || allowList.some((entry) => allows(entry.toUpperCase(), upper));
}

function allows(entry: string, upper: string): boolean {
  return entry.endsWith('*') ? upper.startsWith(entry.slice(0, -1)) : upper === entry;
}
