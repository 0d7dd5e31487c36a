import { clean, lt } from '@renovatebot/pep440';
import { type ImageReference, isMultiTenantRegistry, namespaceOf, parseImageReference } from './image-reference';
import { UpgradeRejectedError, UpgradeUnavailableError } from './remote-ops-errors';

/*
 * Apollo's upgrade gate (apollo-inventory §8.1), the one choke point every runtime's upgrade passes:
 *   0. MCD_AGENT_IS_REMOTE_UPGRADABLE must be true, whatever the request;
 *   1. the image comes from the registry of the running image (and its namespace on docker.io), or from a prefix the
 *      operator allowed in MCD_AGENT_UPGRADE_ALLOWED_REPOS: "run any image" becomes "run another image from where we
 *      already run one";
 *   2. a Cloud Run image is never swapped for an Azure one or the other way round (it would not start);
 *   3. no downgrade: the tag's version may not be older than the running version (PEP 440 ordering, as Apollo's
 *      `packaging.version`: 1.8.6rc1 < 1.8.6). A dev build (version `local`) has no floor.
 */

export interface UpgradeGateInput {
  /** MCD_AGENT_IS_REMOTE_UPGRADABLE. */
  readonly upgradable: boolean;
  /** The image the control plane asks for; none for an update of parameters alone. */
  readonly image: string | undefined;
  /** What the runtime says it runs now (the trust anchor), when it can tell. */
  readonly currentImage: string | undefined;
  /** MCD_AGENT_VERSION of the running agent. */
  readonly currentVersion: string;
  /** MCD_AGENT_UPGRADE_ALLOWED_REPOS. */
  readonly allowedRepos: readonly string[];
}

/** Tag suffixes of the platform images this upgrade path knows; split on the last '-' only. */
const PLATFORM_SUFFIXES = new Set(['cloudrun', 'azure']);

/** Throws with Apollo's exact message when upgrades are off or the image may not be deployed. */
export function checkUpgrade({
  upgradable,
  image,
  currentImage,
  currentVersion,
  allowedRepos,
}: UpgradeGateInput): void {
  if (!upgradable) throw new UpgradeUnavailableError('Remote upgrades are disabled for this agent');
  if (!image) return;
  const candidate = parseImageReference(image);
  const current = currentImage ? parseImageReference(currentImage) : undefined;

  const fromCurrentSource = current !== undefined && sameSource(candidate, current);
  const fullName = `${candidate.registry}/${candidate.repository}`;
  if (!fromCurrentSource && !allowedRepos.some((prefix) => fullName.startsWith(prefix))) {
    throw new UpgradeRejectedError(`Upgrade rejected: image '${image}' is not from an allowed registry/namespace`);
  }

  const candidatePlatform = platformSuffix(candidate);
  const currentPlatform = current ? platformSuffix(current) : undefined;
  if (candidatePlatform && currentPlatform && candidatePlatform !== currentPlatform) {
    throw new UpgradeRejectedError(
      `Upgrade rejected: image '${image}' is a '${candidatePlatform}' image but the agent is running a '${currentPlatform}' image`,
    );
  }

  if (currentVersion === 'local') return;
  const candidateVersion = versionOf(candidate);
  if (candidateVersion === undefined) {
    throw new UpgradeRejectedError(
      `Upgrade rejected: image '${image}' has no parseable version (expected '<version>', '<version>-cloudrun' or '<version>-azure')`,
    );
  }
  const runningVersion = clean(currentVersion);
  // An unparseable running version leaves only the floor open; the allow-list above still applied.
  if (runningVersion && lt(candidateVersion, runningVersion)) {
    throw new UpgradeRejectedError(
      `Upgrade rejected: image version ${candidateVersion} is older than the running version ${runningVersion} (downgrade blocked)`,
    );
  }
}

function sameSource(candidate: ImageReference, current: ImageReference): boolean {
  if (candidate.registry !== current.registry) return false;
  return !isMultiTenantRegistry(current) || namespaceOf(candidate) === namespaceOf(current);
}

function platformSuffix(reference: ImageReference): string | undefined {
  const dash = reference.tag?.lastIndexOf('-') ?? -1;
  const suffix = dash < 0 ? undefined : reference.tag?.slice(dash + 1);
  return suffix && PLATFORM_SUFFIXES.has(suffix) ? suffix : undefined;
}

/** The normalised PEP 440 version of the tag without its platform suffix (`latest`, digests, `-lambda`: none). */
function versionOf(reference: ImageReference): string | undefined {
  if (!reference.tag) return undefined;
  const suffix = platformSuffix(reference);
  const text = suffix ? reference.tag.slice(0, -(suffix.length + 1)) : reference.tag;
  return clean(text) ?? undefined;
}
