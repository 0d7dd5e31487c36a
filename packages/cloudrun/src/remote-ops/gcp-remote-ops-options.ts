/**
 * Overrides for the Google clients of the Cloud Run adapter's remote operations. Production passes none: the clients
 * use the service's own identity (the metadata server) and Google's endpoints. Tests point them at an HTTP fake.
 */
export interface GcpRemoteOpsOptions {
  /**
   * Options of both `ServicesClient` and `Logging`: `fallback` (REST instead of gRPC), `apiEndpoint`, `port`,
   * `protocol`, `authClient`…
   */
  readonly client?: Readonly<Record<string, unknown>>;
  /** The clock of the log route's default window. */
  readonly now?: () => Date;
}
