import type { TokenCredential } from '@azure/identity';

/**
 * Overrides for the Azure clients of the Functions adapter's remote operations. Production passes none: the clients
 * use the app's managed identity (DefaultAzureCredential; AZURE_CLIENT_ID names a user-assigned one) and the public
 * endpoints. Tests point them at an HTTPS fake.
 */
export interface AzureRemoteOpsOptions {
  readonly credential?: TokenCredential;
  /** Options of `WebSiteManagementClient` (ARM): `endpoint`, `tlsOptions`, `retryOptions`… */
  readonly arm?: Readonly<Record<string, unknown>>;
  /** Options of `LogsQueryClient` (Azure Monitor): `endpoint`, `tlsOptions`, `retryOptions`… */
  readonly logs?: Readonly<Record<string, unknown>>;
  /** The clock of the log route's default window and of MCD_LAST_UPDATE_TS. */
  readonly now?: () => Date;
}
