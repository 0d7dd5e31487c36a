import type { EnvelopeOf, SourceType } from './self-hosted-envelope';
import type { SelfHostedCredentialsOptions } from './self-hosted-options';

export interface SourceContext {
  /** The environment the `env_var` source reads (process.env in production). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clients: SelfHostedCredentialsOptions;
  /** MCD_CREDENTIALS_FILE_DIRS: the only directories the `file` source reads from. */
  readonly fileDirs: readonly string[];
  /** MCD_CREDENTIALS_ENV_VARS: the names and `PREFIX_*` prefixes the `env_var` source may read; undefined: any allowed. */
  readonly envVarAllowList?: readonly string[] | undefined;
}

/**
 * One place a secret can live. `fetch` returns the stored string (JSON, possibly KMS-encrypted); parsing, decryption,
 * caching and merging are the resolver's, so every source behaves the same way around them.
 */
export interface CredentialSource<T extends SourceType = SourceType> {
  /** The store's name as it appears in errors and logs: "AWS Secrets Manager". */
  readonly provider: string;
  /** What was read, for error messages: "environment variable: DB_CREDENTIALS". Never the secret. */
  describe(envelope: EnvelopeOf<T>): string;
  fetch(envelope: EnvelopeOf<T>, context: SourceContext): Promise<string>;
  /**
   * When set, every failure about the fetched value (not decryptable, not JSON, not an object) answers this one
   * error instead of its own, so messages cannot tell what the value holds (`env_var`). `cause` is the original.
   */
  uniformFailure?(envelope: EnvelopeOf<T>, cause: unknown): Error;
}
