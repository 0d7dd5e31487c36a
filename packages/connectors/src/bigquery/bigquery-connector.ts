import { type ConnectorContext, type ConnectorFactory, guardedAgents, validate } from '@artemis/core';
import type { OAuth2Client } from 'google-auth-library';
import { type BigqueryConnectArgs, bigqueryCredentialsSchema } from './bigquery-credentials';
import { discoveryResources, HttpError } from './discovery-facade';
import { serviceAccountToken } from './service-account-token';

/** The scopes googleapiclient's discovery build asks for BigQuery v2 (its discovery document's). */
const SCOPES = ['https://www.googleapis.com/auth/bigquery', 'https://www.googleapis.com/auth/cloud-platform'];
const RESOURCES = ['datasets', 'jobs', 'models', 'projects', 'routines', 'rowAccessPolicies', 'tabledata', 'tables'];
/** Keys Apollo pops before the rest is read as a service-account key. */
const NOT_KEY_FIELDS = ['socket_timeout_in_seconds', 'root_url'];

/**
 * Connection type `bigquery` (SPEC §5): Apollo's BqProxyClient, the discovery client of BigQuery v2
 * (`projects()` → `list(maxResults=100)` → `execute()`), over googleapis' generated v2 client, imported on its own
 * so the bundle holds only it. A service-account key (flat or under `connect_args`) gets tokens by the JWT-bearer
 * grant at the key's own `token_uri`; no key means Application Default Credentials (the agent's own identity).
 * Every API socket goes through the SSRF guard.
 */
export const create: ConnectorFactory = async (credentials, context) => {
  const parsed = validate(bigqueryCredentialsSchema, credentials ?? {}, 'bigquery credentials');
  const { connect_args: shaped, ...flat } = parsed;
  const args = { ...(shaped ?? flat) } as BigqueryConnectArgs & Record<string, unknown>;
  const timeoutSeconds = args.socket_timeout_in_seconds == null ? undefined : Number(args.socket_timeout_in_seconds);
  const key = Object.fromEntries(
    Object.entries(args).filter(([name, value]) => !NOT_KEY_FIELDS.includes(name) && value != null),
  );
  const auth = Object.keys(key).length > 0 ? await serviceAccountAuth(key, context) : await applicationDefaultAuth();
  const { bigquery } = await import('googleapis/build/src/apis/bigquery/index.js');
  const agents = guardedAgents(context.network, { keepAlive: true });
  const api = bigquery({
    version: 'v2',
    auth: auth as never,
    ...(args.root_url ? { rootUrl: args.root_url.endsWith('/') ? args.root_url : `${args.root_url}/` } : {}),
    ...(timeoutSeconds !== undefined && Number.isFinite(timeoutSeconds) ? { timeout: timeoutSeconds * 1000 } : {}),
    agent: ((url: URL) => (url.protocol === 'http:' ? agents.http : agents.https)) as never,
  });
  return {
    ...discoveryResources(api as unknown as Record<string, unknown>, RESOURCES),
    errorAttrs: (error: unknown) =>
      error instanceof HttpError ? { status_code: error.statusCode, reason: error.reason } : undefined,
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
};

async function serviceAccountAuth(key: Record<string, unknown>, context: ConnectorContext): Promise<OAuth2Client> {
  if (typeof key.client_email !== 'string' || typeof key.private_key !== 'string') {
    throw new Error('Service account info was not in the expected format, missing fields client_email, private_key.');
  }
  const account = {
    client_email: key.client_email,
    private_key: key.private_key,
    private_key_id: typeof key.private_key_id === 'string' ? key.private_key_id : null,
    token_uri: typeof key.token_uri === 'string' ? key.token_uri : null,
  };
  const { OAuth2Client } = await import('google-auth-library');
  const client = new OAuth2Client();
  client.refreshHandler = () => serviceAccountToken(account, SCOPES, context);
  return client;
}

async function applicationDefaultAuth() {
  const { GoogleAuth } = await import('google-auth-library');
  return new GoogleAuth({ scopes: SCOPES });
}

export { bigqueryCredentialsSchema as credentialsSchema } from './bigquery-credentials';
export { credentialPipeline } from './bigquery-ctp';
