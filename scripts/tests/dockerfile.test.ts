import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';

/*
 * The image build installs the workspace from the manifests alone (a cached layer), then copies the sources: a
 * package whose manifest is missing there gets no node_modules, and its entry cannot be bundled.
 */
const ROOT = join(import.meta.dirname, '..', '..');

describe('the Dockerfile build stage', () => {
  it("copies every workspace package's manifest before pnpm install", () => {
    // Prepare
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const beforeInstall = dockerfile.slice(0, dockerfile.indexOf('RUN pnpm install'));
    const packages = readdirSync(join(ROOT, 'packages'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);

    // Act
    const missing = packages.filter(
      (name) => !beforeInstall.includes(`COPY packages/${name}/package.json packages/${name}/`),
    );

    // Assess
    expect(beforeInstall.length).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });
});
