/**
 * Overrides for the SDK clients of the Lambda adapter's remote operations. Production passes none: the clients find
 * the function's role and region the usual way. Tests point them at an HTTP fake and shorten the waiters' polling.
 */
export interface AwsRemoteOpsOptions {
  /** Merged into every client's configuration: `endpoint`, `region`, `credentials`, `maxAttempts`… */
  readonly client?: Readonly<Record<string, unknown>>;
  /** Polling of `wait_for_completion` (seconds). Default: 5 s between polls, up to an hour, as Apollo's waiters. */
  readonly waiter?: { readonly minDelay: number; readonly maxDelay: number; readonly maxWaitTime: number };
  /** The clock of the log routes' default windows and of "events since the update started" (CloudFormation). */
  readonly now?: () => Date;
}

export const DEFAULT_WAITER = { minDelay: 5, maxDelay: 5, maxWaitTime: 3600 };
