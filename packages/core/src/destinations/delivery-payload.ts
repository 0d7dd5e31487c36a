import * as z from 'zod/mini';
import { httpUrl } from '../async/callback-options';

/*
 * The body a platform sends to start a delivery (seed 002, the Amperity Lambda runner): the same on
 * `POST /api/v1/destinations/{destination}`, behind API Gateway and as a direct Lambda invoke. Unknown keys are
 * ignored. `access_token` authorizes the status reports to the platform's own API and is kept only with the job
 * (deleted when it ends); a destination's own credentials never come from here (MCD_DESTINATION_CREDENTIALS).
 */

/** The id is appended to `callback_url` as is (`PUT <callback_url><webhook_id>`), so no `/`, `?`, `#` or `%`. */
const WEBHOOK_ID = /^[A-Za-z0-9._~-]{1,256}$/;
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

/** The most records one batch may hold, whoever asks (a module or a payload's `batch_size`). */
export const MAX_BATCH_SIZE = 10_000;

export const deliveryPayloadSchema = z.looseObject({
  data_url: z
    .string()
    .check(z.minLength(1, 'must not be empty'), z.maxLength(8192, 'expected at most 8192 characters')),
  callback_url: httpUrl,
  webhook_id: z.string().check(z.regex(WEBHOOK_ID, 'expected 1 to 256 letters, digits, ".", "_", "~" or "-"')),
  access_token: z.optional(
    z.nullable(z.string().check(z.regex(HEADER_VALUE, 'expected printable characters'), z.maxLength(16_384))),
  ),
  tenant_id: z.optional(z.nullable(z.string().check(z.regex(/^[\x21-\x7e]{1,256}$/, 'expected a tenant id')))),
  settings: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  label_name: z.optional(z.nullable(z.string())),
});

export type DeliveryPayload = z.output<typeof deliveryPayloadSchema>;

/** Settings every destination understands (the runner reads them; the destination sees them too). */
export const runnerSettingsSchema = z.looseObject({
  batch_size: z.optional(
    z
      .int()
      .check(
        z.minimum(1, `expected an integer from 1 to ${MAX_BATCH_SIZE}`),
        z.maximum(MAX_BATCH_SIZE, `expected an integer from 1 to ${MAX_BATCH_SIZE}`),
      ),
  ),
  /** Overrides MCD_DESTINATION_MAX_FAILED_BATCHES for this delivery. */
  max_failed_batches: z.optional(z.int().check(z.minimum(0, 'expected an integer of at least 0'))),
  rate_limit: z.optional(
    z.object({
      requests: z.int().check(z.minimum(1, 'expected an integer of at least 1')),
      per_seconds: z.number().check(z.positive('expected a number above 0')),
    }),
  ),
});
