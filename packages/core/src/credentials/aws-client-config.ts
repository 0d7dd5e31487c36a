import { readFile } from 'node:fs/promises';
import { Agent as HttpsAgent } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { SourceContext } from './credential-source';
import type { SelfHostedEnvelope } from './self-hosted-envelope';

/** The fields of an envelope that choose the AWS session: region and an optional role to assume. */
type AwsSession = Pick<SelfHostedEnvelope, 'aws_region' | 'assumable_role' | 'external_id'>;

/**
 * Configuration for an AWS SDK client on behalf of an envelope: the envelope's region, the agent's CA bundle
 * (MCD_AWS_CA_BUNDLE_SECRET_NAME, see prepare-environment.ts), the embedder's overrides, and — when the envelope names
 * `assumable_role` — temporary credentials from STS AssumeRole (with `external_id` when given).
 */
export async function awsClientConfig(session: AwsSession, context: SourceContext): Promise<Record<string, unknown>> {
  // The embedder's overrides are defaults; the envelope's region is the request's choice and wins over them.
  const base: Record<string, unknown> = {
    ...(await caBundleHandler(context.env.AWS_CA_BUNDLE)),
    ...context.clients.aws,
    ...(session.aws_region ? { region: session.aws_region } : {}),
  };
  if (!session.assumable_role) return base;
  const { STSClient, AssumeRoleCommand } = await import('@aws-sdk/client-sts');
  const sts = new STSClient(base);
  try {
    const { Credentials: assumed } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: session.assumable_role,
        RoleSessionName: `mcd_artemis_${Date.now()}`,
        ExternalId: session.external_id ?? undefined,
      }),
    );
    if (!assumed?.AccessKeyId || !assumed.SecretAccessKey) {
      throw new Error(`AssumeRole of ${session.assumable_role} returned no credentials`);
    }
    return {
      ...base,
      credentials: {
        accessKeyId: assumed.AccessKeyId,
        secretAccessKey: assumed.SecretAccessKey,
        sessionToken: assumed.SessionToken,
        expiration: assumed.Expiration,
      },
    };
  } finally {
    sts.destroy();
  }
}

/**
 * The JavaScript SDK ignores AWS_CA_BUNDLE (a boto3/CLI convention), so the bundle the agent installed at start-up is
 * handed to each client's HTTPS agent, on top of Node's own roots.
 */
async function caBundleHandler(bundlePath: string | undefined): Promise<Record<string, unknown>> {
  if (!bundlePath) return {};
  const bundle = await readFile(bundlePath, 'utf8');
  return { requestHandler: { httpsAgent: new HttpsAgent({ keepAlive: true, ca: [...rootCertificates, bundle] }) } };
}
