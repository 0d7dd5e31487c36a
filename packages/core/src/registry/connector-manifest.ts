import * as z from 'zod/mini';

/**
 * A plugin connector's manifest (Apollo's custom-connector `manifest.json`): exported by a plugin module as
 * `manifests: { [connectionType]: manifest }` next to `connectors`. `name` (or Apollo's `connection_name`) is the
 * display name the connector-types route lists; `credentials_schema` is a JSON Schema the self-hosted validate route
 * checks secrets against; `templates` maps file names to text (Apollo's `templates/*.j2`). Any other JSON field is
 * kept and served by the manifests route.
 */
export const connectorManifestSchema = z.looseObject({
  name: z.optional(z.string()),
  connection_name: z.optional(z.string()),
  credentials_schema: z.optional(
    z.custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), {
      error: 'expected a JSON Schema object',
    }),
  ),
  templates: z.optional(z.record(z.string(), z.string())),
});

export type ConnectorManifest = z.output<typeof connectorManifestSchema>;

/** The display name: `name`, else `connection_name`, else the connection type itself (Apollo's fallback). */
export function displayName(type: string, manifest: ConnectorManifest | undefined): string {
  return manifest?.name ?? manifest?.connection_name ?? type;
}

/** The manifests route's entry: the manifest without its credentials schema (Apollo pops it), and the templates. */
export function publicManifest(type: string, manifest: ConnectorManifest | undefined) {
  const { credentials_schema: _schema, templates, ...rest } = manifest ?? {};
  return { manifest: { connection_type: type, ...rest }, templates: templates ?? {} };
}
