import * as z from 'zod/mini';
import type { DestinationModule } from './destination-module';

/*
 * `storage` (SPEC §14): each batch becomes one NDJSON object in the agent's own storage,
 * `<prefix>batch-00000001.ndjson` (prefix: `settings.prefix`, default `destinations/<webhook_id>/`, relative to
 * MCD_STORAGE_PREFIX) — a hand-off artifact another system picks up. A batch sent again overwrites its own object, so
 * a continuation never leaves a duplicate behind.
 */

const settingsSchema = z.looseObject({
  prefix: z.optional(
    z
      .string()
      .check(z.regex(/^([^/]+\/)*$/, 'expected a key prefix ending with "/" (or "" for none)'), z.maxLength(512)),
  ),
});

export const storageDestination: DestinationModule = {
  batchSize: 10_000,
  settingsSchema,

  async send(batch, context) {
    const prefix = (context.settings.prefix as string | undefined) ?? `destinations/${context.webhookId}/`;
    const key = `${prefix}batch-${String(context.batchNumber).padStart(8, '0')}.ndjson`;
    const lines = batch.map((record) => `${JSON.stringify(record)}\n`).join('');
    await (await context.storage()).write(key, lines);
  },
};
