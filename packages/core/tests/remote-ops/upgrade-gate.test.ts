import { describe, expect, it } from '@jest/globals';
import { parseImageReference } from '../../src/remote-ops/image-reference';
import { checkUpgrade } from '../../src/remote-ops/upgrade-gate';

/*
 * Apollo's upgrade gate (apollo-inventory §8.1, apollo/agent/upgrade_validation.py), case by case: every row is an
 * image the control plane asks for, what the agent runs, and the exact refusal (or none).
 */

const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com/mcd-agent';
const HUB = 'docker.io/montecarlodata/agent';

interface Row {
  readonly case: string;
  readonly upgradable?: boolean;
  readonly image: string | undefined;
  readonly current: string | undefined;
  readonly version?: string;
  readonly allowed?: string[];
  readonly refusal: string | undefined;
}

const rows: Row[] = [
  {
    case: 'disabled flag (MCD_AGENT_IS_REMOTE_UPGRADABLE not true)',
    upgradable: false,
    image: `${ECR}:1.2.0`,
    current: `${ECR}:1.1.0`,
    refusal: 'Remote upgrades are disabled for this agent',
  },
  {
    case: 'disabled flag, parameters alone',
    upgradable: false,
    image: undefined,
    current: undefined,
    refusal: 'Remote upgrades are disabled for this agent',
  },
  { case: 'parameters alone (no image to judge)', image: undefined, current: undefined, refusal: undefined },
  { case: 'same ECR registry, newer version', image: `${ECR}:1.2.0`, current: `${ECR}:1.1.0`, refusal: undefined },
  {
    case: "Lambda's region wildcard matches the running region",
    image: '123456789012.dkr.ecr.*.amazonaws.com/mcd-agent:1.2.0',
    current: `${ECR}:1.1.0`,
    refusal: undefined,
  },
  {
    case: 'another repository in the same private registry',
    image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/other:1.2.0',
    current: `${ECR}:1.1.0`,
    refusal: undefined,
  },
  {
    case: 'foreign registry',
    image: 'evil.example.com/mcd-agent:1.2.0',
    current: `${ECR}:1.1.0`,
    refusal: "Upgrade rejected: image 'evil.example.com/mcd-agent:1.2.0' is not from an allowed registry/namespace",
  },
  {
    case: 'another AWS account',
    image: '999999999999.dkr.ecr.us-east-1.amazonaws.com/mcd-agent:1.2.0',
    current: `${ECR}:1.1.0`,
    refusal:
      "Upgrade rejected: image '999999999999.dkr.ecr.us-east-1.amazonaws.com/mcd-agent:1.2.0' is not from an allowed registry/namespace",
  },
  {
    case: 'docker.io, same namespace (short and alias forms)',
    image: 'montecarlodata/agent:1.2.0-cloudrun',
    current: 'index.docker.io/montecarlodata/agent:1.1.0-cloudrun',
    refusal: undefined,
  },
  {
    case: 'docker.io, another namespace',
    image: 'docker.io/evil/agent:1.2.0-cloudrun',
    current: `${HUB}:1.1.0-cloudrun`,
    refusal: "Upgrade rejected: image 'docker.io/evil/agent:1.2.0-cloudrun' is not from an allowed registry/namespace",
  },
  {
    case: "a namespace is never read as a host ('montecarlodata/evil' is docker.io)",
    image: 'montecarlodata/evil:1.2.0',
    current: 'ghcr.io/montecarlodata/agent:1.1.0',
    refusal: "Upgrade rejected: image 'montecarlodata/evil:1.2.0' is not from an allowed registry/namespace",
  },
  {
    case: 'MCD_AGENT_UPGRADE_ALLOWED_REPOS admits another source',
    image: 'ghcr.io/acme/agent:1.2.0',
    current: `${ECR}:1.1.0`,
    allowed: ['ghcr.io/acme/'],
    refusal: undefined,
  },
  {
    case: 'no current image and no allow-list',
    image: `${ECR}:1.2.0`,
    current: undefined,
    refusal: `Upgrade rejected: image '${ECR}:1.2.0' is not from an allowed registry/namespace`,
  },
  {
    case: "Azure's DOCKER| prefix on the running image",
    image: `${HUB}:1.2.0-azure`,
    current: `DOCKER|${HUB}:1.1.0-azure`,
    refusal: undefined,
  },
  {
    case: 'platform mismatch (Azure image onto Cloud Run)',
    image: `${HUB}:1.2.0-azure`,
    current: `${HUB}:1.1.0-cloudrun`,
    refusal: `Upgrade rejected: image '${HUB}:1.2.0-azure' is a 'azure' image but the agent is running a 'cloudrun' image`,
  },
  {
    case: 'latest has no version',
    image: `${ECR}:latest`,
    current: `${ECR}:1.1.0`,
    refusal: `Upgrade rejected: image '${ECR}:latest' has no parseable version (expected '<version>', '<version>-cloudrun' or '<version>-azure')`,
  },
  {
    case: 'a digest alone has no version',
    image: `${ECR}@sha256:${'a'.repeat(64)}`,
    current: `${ECR}:1.1.0`,
    refusal: `Upgrade rejected: image '${ECR}@sha256:${'a'.repeat(64)}' has no parseable version (expected '<version>', '<version>-cloudrun' or '<version>-azure')`,
  },
  {
    case: 'an unsupported suffix (-lambda) has no version',
    image: `${HUB}:1.2.0-lambda`,
    current: `${HUB}:1.1.0-cloudrun`,
    refusal: `Upgrade rejected: image '${HUB}:1.2.0-lambda' has no parseable version (expected '<version>', '<version>-cloudrun' or '<version>-azure')`,
  },
  {
    case: 'downgrade',
    image: `${ECR}:1.0.9`,
    current: `${ECR}:1.1.0`,
    refusal: 'Upgrade rejected: image version 1.0.9 is older than the running version 1.1.0 (downgrade blocked)',
  },
  { case: 'equal version', image: `${ECR}:1.1.0`, current: `${ECR}:1.1.0`, refusal: undefined },
  {
    case: 'a pre-release of the running version is older than it',
    image: `${HUB}:1.1.0rc1-cloudrun`,
    current: `${HUB}:1.1.0-cloudrun`,
    refusal: 'Upgrade rejected: image version 1.1.0rc1 is older than the running version 1.1.0 (downgrade blocked)',
  },
  {
    case: "a hyphenated pre-release ('1.1.0-rc1') is normalised and ordered before the release",
    image: `${ECR}:1.1.0-rc1`,
    current: `${ECR}:1.1.0`,
    refusal: 'Upgrade rejected: image version 1.1.0rc1 is older than the running version 1.1.0 (downgrade blocked)',
  },
  {
    case: 'the release after a pre-release is an upgrade',
    image: `${HUB}:1.1.0-azure`,
    current: `${HUB}:1.1.0rc674-azure`,
    version: '1.1.0rc674',
    refusal: undefined,
  },
  {
    case: 'pre-releases order by number',
    image: `${HUB}:0.2.4rc675-azure`,
    current: `${HUB}:0.2.4rc674-azure`,
    version: '0.2.4rc674',
    refusal: undefined,
  },
  {
    case: "a dev build ('local') has no version floor",
    image: `${ECR}:latest`,
    current: `${ECR}:1.1.0`,
    version: 'local',
    refusal: undefined,
  },
  {
    case: 'an unparseable running version leaves only the floor open',
    image: `${ECR}:0.0.1`,
    current: `${ECR}:1.1.0`,
    version: 'nightly',
    refusal: undefined,
  },
  {
    case: 'empty image',
    image: '  ',
    current: `${ECR}:1.1.0`,
    refusal: 'Upgrade rejected: empty image reference',
  },
];

describe('the upgrade gate', () => {
  it.each(rows)('$case', (row) => {
    // Prepare
    const input = {
      upgradable: row.upgradable ?? true,
      image: row.image,
      currentImage: row.current,
      currentVersion: row.version ?? '1.1.0',
      allowedRepos: row.allowed ?? [],
    };

    // Act
    const check = () => checkUpgrade(input);

    // Assess
    if (row.refusal === undefined) expect(check).not.toThrow();
    else expect(check).toThrow(row.refusal);
  });
});

describe('image references', () => {
  it.each([
    ['localhost:5000/agent:1.0', { registry: 'localhost:5000', repository: 'agent', tag: '1.0', digest: undefined }],
    ['agent', { registry: 'docker.io', repository: 'agent', tag: undefined, digest: undefined }],
    [
      'registry-1.docker.io/library/node:22@sha256:abc',
      { registry: 'docker.io', repository: 'library/node', tag: '22', digest: 'sha256:abc' },
    ],
    [
      'docker|123456789012.dkr.ecr.eu-west-1.amazonaws.com/a/b:2',
      { registry: '123456789012.dkr.ecr.*.amazonaws.com', repository: 'a/b', tag: '2', digest: undefined },
    ],
    ['localhost/agent', { registry: 'localhost', repository: 'agent', tag: undefined, digest: undefined }],
  ])('parses %s', (image, expected) => {
    // Act
    const parsed = parseImageReference(image);

    // Assess
    expect(parsed).toEqual(expected);
  });

  it('refuses a reference without a repository', () => {
    // Act / Assess
    expect(() => parseImageReference(':1.0')).toThrow("Upgrade rejected: unparseable image reference ':1.0'");
  });
});
