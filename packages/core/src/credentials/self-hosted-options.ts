import type { TokenCredential } from '@azure/identity';
import type { SecretClientOptions } from '@azure/keyvault-secrets';
import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';

type GcpClientOptions = NonNullable<ConstructorParameters<typeof SecretManagerServiceClient>[0]>;

/**
 * Overrides for the SDK clients the credential sources create. Production passes none: each SDK finds its identity
 * the usual way (the Lambda role, the Cloud Run service account, the Function's managed identity). Embedders use it
 * for private endpoints; the tests use it to point the real SDK clients at HTTP-level fakes.
 */
export interface SelfHostedCredentialsOptions {
  /** Merged into every AWS SDK client's configuration (Secrets Manager, SSM, KMS, STS): `endpoint`, `credentials`… */
  readonly aws?: Readonly<Record<string, unknown>>;
  /** `SecretManagerServiceClient` options: `fallback`, `apiEndpoint`, `protocol`, `port`, `authClient`… */
  readonly gcp?: GcpClientOptions;
  /** The token credential (DefaultAzureCredential when omitted) and the `SecretClient` options. */
  readonly azure?: { readonly credential?: TokenCredential; readonly client?: SecretClientOptions };
  /** The cache's clock in milliseconds (tests move it forward instead of sleeping). */
  readonly now?: () => number;
}
