import { readFile } from 'node:fs/promises';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import { assumeRoleProvider } from './assume-role';

export interface AwsClientConfigOptions {
  /** The region the request or the configuration chose; else AWS_REGION, AWS_DEFAULT_REGION, then `fallbackRegion`. */
  readonly region?: string | null | undefined;
  /** When nothing names a region (S3: us-east-1, as boto3); otherwise the SDK's own resolution applies. */
  readonly fallbackRegion?: string | undefined;
  /** Static keys; the SDK's default chain (the agent's own identity) when absent. */
  readonly credentials?:
    | { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string | undefined }
    | undefined;
  /** A role to assume with STS, from the static keys when given, else from the agent's identity; renewed. */
  readonly assumeRole?: { readonly roleArn: string; readonly externalId?: string | null | undefined } | undefined;
  /** TLS beyond the agent's CA bundle for the service's connections: an extra CA, or no verification at all. */
  readonly tls?: { readonly ca?: string | undefined; readonly rejectUnauthorized?: boolean | undefined } | undefined;
  /** The SSRF guard's pinned lookup for a checked custom endpoint: the service's sockets only, never STS's. */
  readonly lookup?: LookupFunction | undefined;
  /** SDK options under the request's choices: an embedder's private endpoints, the tests' fakes. */
  readonly overrides?: Readonly<Record<string, unknown>> | undefined;
  /** Where AWS_CA_BUNDLE, AWS_REGION and AWS_DEFAULT_REGION are read (process.env unless a test gives its own). */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
}

/**
 * The one base configuration of every AWS SDK client the agent creates: the credential sources (Secrets Manager,
 * SSM, KMS), the start-up CA bundle fetch, the S3 storage backend and the aws connectors (s3, glue, athena).
 *
 * - CA bundle: the JavaScript SDK ignores AWS_CA_BUNDLE (a boto3/CLI convention), and Node 20 cannot add a CA
 *   process-wide once started, so the bundle MCD_AWS_CA_BUNDLE_SECRET_NAME installed (credentials/aws-ca-bundle.ts)
 *   is given to every client's HTTPS agent, on top of Node's own roots, STS's included.
 * - Region: the request's, else the environment's (AWS_DEFAULT_REGION too, which boto3 reads and the SDK does not).
 * - AssumeRole: Apollo's session names and ExternalId, renewed before expiry, signed by the static keys when given.
 */
export async function awsClientConfig(options: AwsClientConfigOptions): Promise<Record<string, unknown>> {
  const env = options.env ?? process.env;
  const overrides = options.overrides ?? {};
  const region =
    options.region ||
    (overrides.region as string | undefined) ||
    env.AWS_REGION ||
    env.AWS_DEFAULT_REGION ||
    options.fallbackRegion;
  const bundle = env.AWS_CA_BUNDLE ? await readFile(env.AWS_CA_BUNDLE, 'utf8') : undefined;
  const base: Record<string, unknown> = { ...overrides, ...(region ? { region } : {}) };
  if (options.credentials) {
    const { accessKeyId, secretAccessKey, sessionToken } = options.credentials;
    base.credentials = { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  }
  const config: Record<string, unknown> = { ...base };
  const handler = requestHandler(bundle, options.tls, options.lookup);
  if (handler) config.requestHandler = handler;
  if (options.assumeRole) {
    // STS is reached at its own endpoint with the same trust (CA bundle, TLS options), never the pinned address.
    const stsHandler = requestHandler(bundle, options.tls, undefined);
    config.credentials = await assumeRoleProvider({
      roleArn: options.assumeRole.roleArn,
      externalId: options.assumeRole.externalId,
      stsConfig: { ...base, region: region ?? 'us-east-1', ...(stsHandler ? { requestHandler: stsHandler } : {}) },
    });
  }
  return config;
}

/** Keep-alive agents with the CA bundle, the TLS options and the pinned lookup; undefined when the defaults do. */
function requestHandler(
  bundle: string | undefined,
  tls: AwsClientConfigOptions['tls'],
  lookup: LookupFunction | undefined,
): Record<string, unknown> | undefined {
  const rejectUnauthorized = tls?.rejectUnauthorized ?? true;
  if (!bundle && !tls?.ca && rejectUnauthorized && !lookup) return undefined;
  // A request's own CA replaces Node's roots (it names the one CA its endpoint uses); the bundle adds to them.
  const ca = tls?.ca ? [tls.ca, ...(bundle ? [bundle] : [])] : bundle ? [...rootCertificates, bundle] : undefined;
  return {
    httpAgent: new HttpAgent({ keepAlive: true, lookup }),
    httpsAgent: new HttpsAgent({ keepAlive: true, lookup, ca, rejectUnauthorized }),
  };
}
