import type { StandardSchemaV1 } from '../connectors/standard-schema';
import type { Logger } from '../logging/logger';
import type { StorageBackend } from '../storage/storage-backend';

/*
 * A destination (SPEC §14): where a delivery sends its batches. Built in: `http-json` and `storage`; more come from
 * plugins (MCD_DESTINATION_MODULES, or a `destinations` export beside `connectors`), each mapping a name to one of
 * these. Plain objects and functions, so a plugin is an ES module that imports nothing from Artemis.
 */

export interface RateLimit {
  /** Requests allowed per `perSeconds` (the token bucket's size: a burst of this many, then a steady rate). */
  readonly requests: number;
  readonly perSeconds: number;
}

export type Settings = Readonly<Record<string, unknown>>;

export interface DestinationModule {
  /** Records per batch (a payload's `settings.batch_size` may change it). */
  readonly batchSize: number;
  /** Requests per time window, shared by the whole job (a payload's `settings.rate_limit` may change it). */
  readonly rateLimit?: RateLimit | undefined;
  /** Checks the payload's `settings` at submission (zod, valibot, …); its output is what `ctx.settings` holds. */
  readonly settingsSchema?: StandardSchemaV1 | undefined;
  /** Shapes one record for the destination; `undefined` leaves the record out. A throw makes it an invalid record. */
  mapRecord?(record: unknown, settings: Settings): unknown;
  /** Called once per run before the first batch (check credentials, settings); a throw ends the delivery `failed`. */
  prepare?(context: DestinationContext): void | Promise<void>;
  /**
   * Sends one batch; resolving means the destination acknowledged it. To fail, throw: an error with a numeric
   * `status` is retried for 408, 429 and 5xx (after `retryAfter`, seconds or an HTTP date, when given); set
   * `retryable` to decide yourself, `fatal: true` to end the delivery. Errors without a status (network) are retried.
   */
  send(batch: readonly unknown[], context: BatchContext): Promise<unknown>;
  /**
   * Sends one batch given as each record's JSON text exactly as the file had it (checked to be JSON), called instead
   * of `send` when the destination has one and no `mapRecord`. Records pass through untouched — a 20-digit id keeps
   * every digit, which parsing into a number would not — and without a parse-and-serialize round trip.
   */
  sendJsonText?(batch: readonly string[], context: BatchContext): Promise<unknown>;
}

export interface DestinationRequest {
  /** POST when omitted. */
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
  /** Ends the request early; a batch's own `request` passes the batch's signal already. */
  readonly signal?: AbortSignal;
}

export interface DestinationResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** At most 64 KiB of the body. */
  readonly body: Buffer;
}

/** What a destination gets for the whole run. */
export interface DestinationContext {
  /** The payload's `settings`, as `settingsSchema` returned them. */
  readonly settings: Settings;
  /** The secret named for this destination in MCD_DESTINATION_CREDENTIALS (`{}` when none): never the payload's. */
  readonly credentials: Readonly<Record<string, unknown>>;
  readonly webhookId: string;
  readonly labelName: string | undefined;
  /** The delivery's job id (the async request id). */
  readonly jobId: string;
  readonly logger: Logger;
  /** An HTTP request through the agent's SSRF guard, bounded by MCD_DESTINATION_REQUEST_TIMEOUT_SECONDS. */
  request(url: string, init?: DestinationRequest): Promise<DestinationResponse>;
  /** The agent's own storage. */
  storage(): Promise<StorageBackend>;
}

/** What a destination gets for one batch. */
export interface BatchContext extends DestinationContext {
  /** 1 for the job's first batch; the same number when a batch is sent again. */
  readonly batchNumber: number;
  /** Aborted when the request timeout or the run's deadline ends this attempt (`request` honours it already). */
  readonly signal: AbortSignal;
}
