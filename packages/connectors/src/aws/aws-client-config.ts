import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { LookupFunction } from 'node:net';
import { type ConnectorContext, pinnedLookup } from '@artemis/core';
import { toTlsOptions } from '../shared/ssl-options';
import { assumeRoleProvider } from './assume-role';
import type { AwsConnectArgs } from './aws-credentials';

/**
 * The SDK v3 client configuration for one aws-family client, from boto3-style credentials:
 *
 * - region: `aws_region`, else the SDK's own chain (AWS_REGION...); S3 falls back to us-east-1 as boto3 does.
 * - endpoint: `endpoint_url` (S3-compatible stores, local endpoints). A control-plane-supplied endpoint is a
 *   destination like any other, so it goes through the SSRF guard and the sockets are pinned to the checked address.
 *   S3 then uses path-style addressing and checksums only where required, which S3-compatible stores expect.
 * - credentials: static keys when given, else the assumed role, else the SDK's default chain (the agent's identity).
 * - TLS: `ssl_options.ca_data` trusts that CA; `ssl_options.disabled` skips verification.
 */
export async function awsClientConfig(
  service: string,
  args: AwsConnectArgs,
  context: ConnectorContext,
): Promise<Record<string, unknown>> {
  const region =
    args.aws_region ||
    process.env.AWS_REGION ||
    process.env.AWS_DEFAULT_REGION ||
    (service === 's3' ? 'us-east-1' : undefined);
  const config: Record<string, unknown> = region ? { region } : {};
  let lookup: LookupFunction | undefined;
  if (args.endpoint_url) {
    const { url, destination } = await context.network.resolveUrl(args.endpoint_url);
    config.endpoint = url.href;
    lookup = pinnedLookup(destination);
    if (service === 's3') {
      config.forcePathStyle = true;
      config.requestChecksumCalculation = 'WHEN_REQUIRED';
      config.responseChecksumValidation = 'WHEN_REQUIRED';
    }
  }
  const handler = requestHandler(args, lookup);
  if (handler) config.requestHandler = handler;

  if (args.aws_access_key_id && args.aws_secret_access_key) {
    config.credentials = {
      accessKeyId: args.aws_access_key_id,
      secretAccessKey: args.aws_secret_access_key,
      ...(args.aws_session_token ? { sessionToken: args.aws_session_token } : {}),
    };
  } else if (args.assumable_role) {
    const tlsHandler = requestHandler(args, undefined);
    config.credentials = await assumeRoleProvider({
      roleArn: args.assumable_role,
      externalId: args.external_id,
      region: region ?? 'us-east-1',
      // STS is reached at its own endpoint: same TLS settings, never the pinned custom endpoint.
      clientOptions: tlsHandler ? { requestHandler: tlsHandler } : {},
    });
  }
  return config;
}

/** Keep-alive agents with the TLS settings and the pinned lookup; undefined when the SDK defaults will do. */
function requestHandler(args: AwsConnectArgs, lookup: LookupFunction | undefined) {
  const tls = toTlsOptions(args.ssl_options);
  if (!lookup && !tls.ca && tls.rejectUnauthorized) return undefined;
  return {
    httpAgent: new HttpAgent({ keepAlive: true, lookup }),
    httpsAgent: new HttpsAgent({ keepAlive: true, lookup, ca: tls.ca, rejectUnauthorized: tls.rejectUnauthorized }),
  };
}
