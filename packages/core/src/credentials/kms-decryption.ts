import { SelfHostedCredentialsError } from '../errors/self-hosted-credentials-error';
import type { SourceContext } from './credential-source';
import { envelopeAwsConfig } from './envelope-aws-config';
import { fetchFailure } from './fetch-failure';
import type { SelfHostedEnvelope } from './self-hosted-envelope';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * `decryption_service_type: "kms"`: the fetched string is a base64 KMS ciphertext, decrypted with `kms_key_id`.
 * The AWS session (region, role) comes from the envelope's top-level fields; Apollo read them from the envelope's
 * `connect_args`, which is still accepted as a fallback so existing envelopes keep working.
 */
export async function decryptWithKms(ciphertext: string, envelope: SelfHostedEnvelope, context: SourceContext) {
  const compact = ciphertext.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64.test(compact)) {
    throw new SelfHostedCredentialsError('Failed to decode base64 encrypted credentials');
  }
  const { KMSClient, DecryptCommand } = await import('@aws-sdk/client-kms');
  let client: InstanceType<typeof KMSClient> | undefined;
  try {
    client = new KMSClient(await envelopeAwsConfig(kmsSession(envelope), context));
    const { Plaintext } = await client.send(
      new DecryptCommand({ CiphertextBlob: Buffer.from(compact, 'base64'), KeyId: envelope.kms_key_id ?? undefined }),
    );
    if (!Plaintext) throw new Error('KMS returned no plaintext');
    return Buffer.from(Plaintext).toString('utf8');
  } catch (error) {
    throw fetchFailure('decrypt credentials using KMS', error);
  } finally {
    client?.destroy();
  }
}

function kmsSession(envelope: SelfHostedEnvelope) {
  const connectArgs = envelope.connect_args;
  const fallback = (typeof connectArgs === 'object' && connectArgs !== null ? connectArgs : {}) as Record<
    string,
    unknown
  >;
  const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
  return {
    aws_region: envelope.aws_region || text(fallback.aws_region),
    assumable_role: envelope.assumable_role || text(fallback.assumable_role),
    external_id: envelope.external_id || text(fallback.external_id),
  };
}
