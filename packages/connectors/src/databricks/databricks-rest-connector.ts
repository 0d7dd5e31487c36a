import { type ConnectorFactory, OperationError, validate, withParameters } from '@artemis/core';
import * as z from 'zod/mini';
import { createHttpProxyClient } from '../http/http-proxy-client';
import { urlOnOrigin } from '../shared/url-on-origin';

/** Apollo's `do_request` signature, so positional and keyword arguments land where Python put them. */
const DO_REQUEST = [
  'url',
  'http_method',
  'payload',
  'timeout',
  'user_agent',
  'additional_headers',
  'params',
  'retry_status_code_ranges',
] as const;

const connectArgs = z.looseObject({
  databricks_workspace_url: z.string().check(z.minLength(1, 'must not be empty')),
  token: z.optional(z.nullable(z.string())),
});

export const credentialsSchema = z.looseObject({ connect_args: connectArgs });

/**
 * Connection type `databricks-rest` (SPEC §5): Apollo's DatabricksRestProxyClient, the workspace's REST API with the
 * token the credential pipeline resolved (a personal access token, or an OAuth token fetched through the SSRF guard).
 * Its one method, `do_request(url, http_method="GET", payload, timeout, user_agent, additional_headers, params,
 * retry_status_code_ranges)`, is the http connector's `do_request` on the workspace: `url` is a path on it
 * (`/api/2.0/sql/warehouses`), or a full URL of that same workspace (Apollo's control plane sends those); a URL of any
 * other origin is refused, so the token never goes anywhere else. Errors are the http connector's (`HTTPError` with
 * `{status_code, reason}`).
 */
export const create: ConnectorFactory = (credentials, context) => {
  const { connect_args: args } = validate(credentialsSchema, credentials, 'databricks-rest credentials');
  if (!args.token) throw new OperationError('databricks-rest: no token in connect_args (a PAT or OAuth credentials)');
  const written = args.databricks_workspace_url.trim();
  const workspace = new URL(/^https?:\/\//i.test(written) ? written : `https://${written}`).origin;
  const http = createHttpProxyClient({ connect_args: { token: args.token } }, context);
  const doRequest = http.extensions?.do_request as (...values: unknown[]) => Promise<unknown>;
  const doWorkspaceRequest = withParameters(
    DO_REQUEST,
    (
      url: unknown,
      httpMethod?: unknown,
      payload?: unknown,
      timeout?: unknown,
      userAgent?: unknown,
      additionalHeaders?: unknown,
      params?: unknown,
      retryStatusCodeRanges?: unknown,
    ) =>
      // do_request's order: url, http_method, payload, content_type, timeout, user_agent, additional_headers,
      // params, verify_ssl, retry_status_code_ranges.
      doRequest(
        urlOnOrigin(
          workspace,
          url,
          {
            invalid: 'do_request: url must be a path on the Databricks workspace (no CR/LF)',
            elsewhere: `do_request: url must stay on the Databricks workspace ${new URL(workspace).host}`,
          },
          true,
        ),
        httpMethod ?? 'GET',
        payload,
        undefined,
        timeout,
        userAgent,
        additionalHeaders,
        params,
        undefined,
        retryStatusCodeRanges,
      ),
  );
  return { extensions: Object.freeze({ do_request: doWorkspaceRequest }) };
};

export { restCredentialPipeline as credentialPipeline } from './databricks-ctp';
