import { type ConnectorFactory, withParameters } from '@artemis/core';
import { createHttpProxyClient } from '../http/http-proxy-client';
import { urlOnOrigin } from '../shared/url-on-origin';
import { createStarburstClient } from './create-starburst-client';

/** Apollo's `do_http_request` signature, so positional and keyword arguments land where Python put them. */
const DO_HTTP_REQUEST = [
  'path',
  'http_method',
  'payload',
  'content_type',
  'timeout',
  'additional_headers',
  'params',
  'retry_status_code_ranges',
  'data',
] as const;

/**
 * Connection type `starburst-enterprise` (SPEC §5): the Starburst DB-API, plus Apollo's `do_http_request(path, …)`
 * for the cluster's REST APIs (the Data Products API, say) on `https://<host>:<port><path>`, with the same Basic
 * credentials and the same certificate trust as the SQL connection. `path` is a path on that host: a path that
 * would leave it is refused, so the credentials never go anywhere else.
 */
export const create: ConnectorFactory = async (credentials, context) => {
  const { client, endpoint } = await createStarburstClient(credentials, context);
  const http = createHttpProxyClient(
    {
      connect_args: {
        token: Buffer.from(`${endpoint.user ?? ''}:${endpoint.password ?? ''}`, 'utf8').toString('base64'),
        auth_type: 'Basic',
        ssl_options: { ca_data: endpoint.tls.ca ?? null, disabled: !endpoint.tls.rejectUnauthorized },
      },
    },
    context,
  );
  const doRequest = http.extensions?.do_request as (...args: unknown[]) => Promise<unknown>;
  const base = `https://${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`;
  const doHttpRequest = withParameters(
    DO_HTTP_REQUEST,
    (
      path: unknown,
      httpMethod?: unknown,
      payload?: unknown,
      contentType?: unknown,
      timeout?: unknown,
      additionalHeaders?: unknown,
      params?: unknown,
      retryStatusCodeRanges?: unknown,
      data?: unknown,
    ) => {
      const url = urlOnHost(base, path);
      const headers = { Accept: 'application/json', ...((additionalHeaders as Record<string, string> | null) ?? {}) };
      // do_request's order: url, http_method, payload, content_type, timeout, user_agent, additional_headers,
      // params, verify_ssl, retry_status_code_ranges, data.
      return doRequest(
        url,
        httpMethod ?? 'GET',
        payload,
        contentType,
        timeout,
        undefined,
        headers,
        params,
        undefined,
        retryStatusCodeRanges,
        data,
      );
    },
  );
  return { ...client, do_http_request: doHttpRequest };
};

/** `path` on the cluster's host; Apollo prefixed a missing `/`. Anything that would change the origin is refused. */
function urlOnHost(base: string, path: unknown): string {
  return urlOnOrigin(base, path, {
    invalid: 'do_http_request: path must be a path on the Starburst host (no CR/LF)',
    elsewhere: `do_http_request: path must stay on ${new URL(base).host}`,
  });
}

export { starburstEnterprisePipeline as credentialPipeline } from './starburst-ctp';
export { statementCredentialsSchema as credentialsSchema } from './statement-endpoint';
