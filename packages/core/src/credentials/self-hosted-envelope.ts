import * as z from 'zod/mini';
import { SelfHostedCredentialsError } from '../errors/self-hosted-credentials-error';
import { describeIssue } from '../errors/zod-issue';
import { SELF_HOSTED_TYPE_KEY } from './is-self-hosted';

/*
 * The self-hosted credentials envelope (SPEC §9, apollo-inventory §5.2): the request names where the secret lives.
 * Unknown keys are kept (they are part of the cache key, as in Apollo) but never interpreted.
 */

export const SOURCE_TYPES = [
  'env_var',
  'file',
  'aws_secrets_manager',
  'aws_ssm_parameter',
  'gcp_secret_manager',
  'azure_key_vault',
] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

/** A required non-empty string whose absence is reported the way Apollo words it, plus the field's name. */
function required(field: string, what: string) {
  const missing = `Missing expected ${what} in credentials (${field})`;
  return z
    .string({ error: (issue) => (issue.input === undefined || issue.input === null ? missing : undefined) })
    .check(z.minLength(1, missing));
}

const optionalText = z.optional(z.nullable(z.string()));

/** Fields every source understands: KMS decryption of the fetched string, and the AWS session for AWS stores/KMS. */
const commonFields = {
  connect_args: z.optional(z.unknown()),
  decryption_service_type: z.optional(
    z.nullable(
      z.literal('kms', {
        error: (issue) => `Invalid decryption service type: ${String(issue.input)}. Supported types: kms`,
      }),
    ),
  ),
  kms_key_id: optionalText,
  aws_region: optionalText,
  assumable_role: optionalText,
  external_id: optionalText,
};

/** Azure Key Vault names are 3–24 letters, digits and dashes; anything else must not be spliced into a URL. */
const vaultName = z
  .string()
  .check(z.regex(/^[A-Za-z0-9-]{3,24}$/, 'expected a Key Vault name (3-24 letters, digits or dashes)'));
const httpsUrl = z
  .string()
  .check(z.refine((value) => URL.canParse(value) && new URL(value).protocol === 'https:', 'expected an https:// URL'));

const envelopeSchemas = {
  env_var: z.looseObject({ ...commonFields, env_var_name: required('env_var_name', 'environment variable name') }),
  file: z.looseObject({ ...commonFields, file_path: required('file_path', 'file path') }),
  aws_secrets_manager: z.looseObject({ ...commonFields, aws_secret: required('aws_secret', 'AWS secret name') }),
  aws_ssm_parameter: z.looseObject({
    ...commonFields,
    ssm_parameter: required('ssm_parameter', 'SSM parameter name'),
  }),
  gcp_secret_manager: z.looseObject({
    ...commonFields,
    gcp_secret: required('gcp_secret', 'GCP secret version name').check(
      z.regex(
        /^projects\/[^/]+\/secrets\/[^/]+\/versions\/[^/]+$/,
        'gcp_secret must be a full version name: projects/<project>/secrets/<secret>/versions/<version|latest>',
      ),
    ),
  }),
  azure_key_vault: z
    .looseObject({
      ...commonFields,
      akv_secret: required('akv_secret', 'Azure Key Vault secret name'),
      akv_vault_url: z.optional(z.nullable(httpsUrl)),
      akv_vault_name: z.optional(z.nullable(vaultName)),
    })
    .check(
      z.refine((value) => Boolean(value.akv_vault_url || value.akv_vault_name), {
        message: 'Missing expected Azure Key Vault URL or name in credentials (akv_vault_url or akv_vault_name)',
      }),
    ),
} satisfies Record<SourceType, z.ZodMiniType>;

export type EnvelopeOf<T extends SourceType> = z.output<(typeof envelopeSchemas)[T]>;
export type SelfHostedEnvelope = { [T in SourceType]: EnvelopeOf<T> & { self_hosted_credentials_type: T } }[SourceType];

/** Checks the envelope and names the first problem; the envelope holds pointers, not secrets, so it may be quoted. */
export function parseEnvelope(credentials: Readonly<Record<string, unknown>>): SelfHostedEnvelope {
  const type = credentials[SELF_HOSTED_TYPE_KEY];
  if (typeof type !== 'string' || !(SOURCE_TYPES as readonly string[]).includes(type)) {
    throw new SelfHostedCredentialsError(
      `Invalid self hosted credentials type: ${String(type)}. Supported types: ${SOURCE_TYPES.join(', ')}`,
    );
  }
  // reportInput lets describeIssue tell "missing" from "mistyped"; it never quotes the input.
  const parsed = envelopeSchemas[type as SourceType].safeParse(credentials, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map(String).join('.') ?? '';
    const message = issue ? describeIssue(issue) : 'invalid envelope';
    throw new SelfHostedCredentialsError(path && !message.includes(path) ? `${path}: ${message}` : message);
  }
  const envelope = parsed.data;
  if (envelope.decryption_service_type === 'kms' && !envelope.kms_key_id) {
    throw new SelfHostedCredentialsError('Missing expected KMS key in credentials (kms_key_id)');
  }
  return { ...envelope, self_hosted_credentials_type: type } as SelfHostedEnvelope;
}
