import type { LookupFunction } from 'node:net';
import { awsClientConfig as baseAwsConfig, type ConnectorContext, pinnedLookup } from '@artemis/core';
import { toTlsOptions } from '../shared/ssl-options';
import type { AwsConnectArgs } from './aws-credentials';

/**
 * The SDK v3 client configuration for one aws-family client, from boto3-style credentials: the agent's one AWS base
 * configuration (core's awsClientConfig: the CA bundle, region, static keys or the assumed role, renewed) plus what
 * only a connector knows:
 *
 * - region: `aws_region`, else the environment's; S3 falls back to us-east-1 as boto3 does.
 * - endpoint: `endpoint_url` (S3-compatible stores, local endpoints). A control-plane-supplied endpoint is a
 *   destination like any other, so it goes through the SSRF guard and the sockets are pinned to the checked address.
 *   S3 then uses path-style addressing and checksums only where required, which S3-compatible stores expect.
 * - credentials: static keys when given, the assumed role (`assumable_role`, signed by the static keys when both are
 *   given), else the SDK's default chain (the agent's identity).
 * - TLS: `ssl_options.ca_data` trusts that CA; `ssl_options.disabled` skips verification.
 */
export async function awsClientConfig(
  service: string,
  args: AwsConnectArgs,
  context: ConnectorContext,
): Promise<Record<string, unknown>> {
  let endpoint: Record<string, unknown> = {};
  let lookup: LookupFunction | undefined;
  if (args.endpoint_url) {
    const { url, destination } = await context.network.resolveUrl(args.endpoint_url);
    lookup = pinnedLookup(destination);
    endpoint = { endpoint: url.href };
    if (service === 's3') {
      endpoint = {
        ...endpoint,
        forcePathStyle: true,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      };
    }
  }
  const base = await baseAwsConfig({
    region: args.aws_region,
    fallbackRegion: service === 's3' ? 'us-east-1' : undefined,
    credentials:
      args.aws_access_key_id && args.aws_secret_access_key
        ? {
            accessKeyId: args.aws_access_key_id,
            secretAccessKey: args.aws_secret_access_key,
            sessionToken: args.aws_session_token ?? undefined,
          }
        : undefined,
    assumeRole: args.assumable_role ? { roleArn: args.assumable_role, externalId: args.external_id } : undefined,
    tls: toTlsOptions(args.ssl_options),
    lookup,
  });
  return { ...base, ...endpoint };
}
