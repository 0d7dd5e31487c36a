import { UpgradeRejectedError } from './remote-ops-errors';

/**
 * A parsed OCI image reference, normalised the way Apollo's upgrade gate compares images (apollo-inventory §8.1):
 * `DOCKER|` (Azure's linuxFxVersion) stripped, docker.io's aliases folded into `docker.io`, and an ECR host's region
 * replaced by `*` so that the Lambda updater's wildcard and a concrete region compare equal.
 */
export interface ImageReference {
  /** `docker.io`, `ghcr.io`, `localhost:5000`, `123456789012.dkr.ecr.*.amazonaws.com`. */
  readonly registry: string;
  /** The whole path: `montecarlodata/agent`, `mcd-agent`. */
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

const DEFAULT_REGISTRY = 'docker.io';
/** Public registries where anyone may publish: the namespace (first path segment) is the tenant boundary. */
const MULTI_TENANT_REGISTRIES = new Set(['docker.io']);
const DOCKER_IO_ALIASES = new Set(['index.docker.io', 'registry-1.docker.io']);

export function parseImageReference(image: string): ImageReference {
  let ref = image.trim();
  if (!ref) throw new UpgradeRejectedError('Upgrade rejected: empty image reference');
  if (ref.toUpperCase().startsWith('DOCKER|')) ref = ref.slice('DOCKER|'.length);

  let digest: string | undefined;
  const at = ref.lastIndexOf('@');
  if (at >= 0) {
    digest = ref.slice(at + 1) || undefined;
    ref = ref.slice(0, at);
  }

  // A first segment is a registry only when it looks like a host: `montecarlodata/evil` is docker.io's namespace
  // `montecarlodata`, never a host of that name.
  const slash = ref.indexOf('/');
  const first = slash < 0 ? ref : ref.slice(0, slash);
  const rest = slash < 0 ? '' : ref.slice(slash + 1);
  const isHost = rest !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = isHost ? first : DEFAULT_REGISTRY;
  const remainder = isHost ? rest : ref;

  // A ':' after the last '/' separates the tag (a port was part of the host, consumed above).
  const colon = remainder.lastIndexOf(':');
  const maybeTag = colon < 0 ? '' : remainder.slice(colon + 1);
  const hasTag = colon >= 0 && !maybeTag.includes('/');
  const repository = hasTag ? remainder.slice(0, colon) : remainder;
  if (!repository) throw new UpgradeRejectedError(`Upgrade rejected: unparseable image reference '${image}'`);
  return { registry: normaliseRegistry(registry), repository, tag: hasTag ? maybeTag : undefined, digest };
}

/** The namespace (first path segment) when the repository has more than one segment. */
export function namespaceOf(reference: ImageReference): string | undefined {
  const slash = reference.repository.indexOf('/');
  return slash < 0 ? undefined : reference.repository.slice(0, slash);
}

export function isMultiTenantRegistry(reference: ImageReference): boolean {
  return MULTI_TENANT_REGISTRIES.has(reference.registry);
}

function normaliseRegistry(registry: string): string {
  if (DOCKER_IO_ALIASES.has(registry)) return DEFAULT_REGISTRY;
  const marker = registry.indexOf('.dkr.ecr.');
  if (!registry.endsWith('.amazonaws.com') || marker < 0) return registry;
  // `<account>.dkr.ecr.<region>.amazonaws.com`: everything up to the first dot after the marker is the region.
  const tail = registry.slice(marker + '.dkr.ecr.'.length);
  return `${registry.slice(0, marker)}.dkr.ecr.*.${tail.slice(tail.indexOf('.') + 1)}`;
}
