import * as z from 'zod/mini';

/*
 * The manifest of a complete fragment set, `<set>/manifest.json`, and the record each fragment write leaves beside
 * its bytes. The manifest is the set's source of truth: which write of each fragment belongs to the backup (`key`),
 * its size and SHA-256 (what a restore verifies against), and which software wrote it.
 */

export const MANIFEST_VERSION = 1;

const softwareVersionShape = {
  product_name: z.string(),
  product_number: z.string(),
  revision: z.string(),
  production_date: z.nullable(z.string()),
  description: z.string(),
  type: z.string(),
};

/** A software version block as `complete_fragment_set` takes it: every field a string (production_date may be null). */
export const softwareVersionSchema = z.strictObject(softwareVersionShape);

export const fragmentEntrySchema = z.object({
  fragment_id: z.string(),
  version: z.nullable(z.string()),
  size_in_bytes: z.number(),
  sha256: z.string(),
  key: z.string(),
  custom_metadata: z.unknown(),
  /** Rows in the fragment, for query exports. */
  rows: z.optional(z.number()),
});

export type FragmentEntry = z.output<typeof fragmentEntrySchema>;

/** What a fragment write stores beside its bytes: the manifest's entry, and when it was written. */
export const fragmentRecordSchema = z.extend(fragmentEntrySchema, { written: z.string() });

export type FragmentRecord = z.output<typeof fragmentRecordSchema>;

export const manifestSchema = z.object({
  manifest_version: z.number(),
  name: z.string(),
  agent: z.object({ agent_id: z.string(), scope: z.nullable(z.string()), api_version: z.string() }),
  software_version: z.object(softwareVersionShape),
  created: z.string(),
  custom: z.unknown(),
  fragments: z.array(fragmentEntrySchema),
});

export type FragmentManifest = z.output<typeof manifestSchema>;
