import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';

/*
 * The Dockerfile cannot be built here (no container daemon), so what a build depends on is checked from its text:
 * the install layer sees every workspace package, and every runtime image ships a compile cache warmed where it
 * will be read.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

/** Instructions (continuation lines joined, comments dropped) of each `FROM … AS <stage>`. */
function stages(text: string): Map<string, string[]> {
  const result = new Map<string, string[]>();
  let current: string[] = [];
  const lines = text
    .replace(/\\\n\s*(#.*\n\s*)*/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
  for (const line of lines) {
    const from = /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(line);
    if (from?.[1]) {
      current = [];
      result.set(from[1], current);
    }
    current.push(line.trim());
  }
  return result;
}

const STAGES = stages(DOCKERFILE);

describe('the Dockerfile', () => {
  it('copies every workspace package manifest before installing, so pnpm links each package', () => {
    // Prepare
    const build = STAGES.get('build') ?? [];
    const install = build.findIndex((line) => line.startsWith('RUN pnpm install'));
    const copied = build.slice(0, install).filter((line) => line.startsWith('COPY'));

    // Act
    const packages = readdirSync(join(ROOT, 'packages'));
    const missing = packages.filter(
      (name) => !copied.some((line) => line.includes(`packages/${name}/package.json packages/${name}/`)),
    );

    // Assess
    expect(install).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });

  it.each([
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile variable, as the Dockerfile spells it
    ['lambda', 'lambda', '"${LAMBDA_TASK_ROOT}/index.mjs"'],
    ['cloudrun', 'server', '/app/index.mjs'],
    ['azure', 'azure', '/home/site/wwwroot/index.mjs'],
    ['generic', 'server', '/app/index.mjs'],
  ])('%s warms the compile cache its NODE_COMPILE_CACHE names, for the bundle it runs', (stage, kind, bundle) => {
    // Prepare
    const lines = STAGES.get(stage) ?? [];

    // Act
    const warm = lines.find((line) => line.includes('warm-compile-cache.mjs '));
    const cache = /--cache (\S+)/.exec(warm ?? '')?.[1];
    const env = lines.find((line) => line.startsWith('ENV') && line.includes('NODE_COMPILE_CACHE='));

    // Assess
    expect(warm).toContain(`node /tmp/warm-compile-cache.mjs ${kind} ${bundle} `);
    expect(warm).toContain('--read-only');
    expect(env).toContain(`NODE_COMPILE_CACHE=${cache}`);
    // Warmed after the bundle is in place (the cache is keyed by its path and content).
    expect(lines.indexOf(warm as string)).toBeGreaterThan(
      lines.findIndex((line) => line.startsWith('COPY --from=build')),
    );
  });

  it.each(['cloudrun', 'generic'])('%s warms as the user it runs as (Node keys the cache by user id)', (stage) => {
    // Prepare
    const lines = STAGES.get(stage) ?? [];

    // Act
    const user = lines.find((line) => line.startsWith('USER'))?.split(/\s+/)[1];
    const warm = lines.find((line) => line.includes('warm-compile-cache.mjs ')) ?? '';

    // Assess
    expect(user).toBe('node');
    expect(warm).toContain(`--users "$(id -u ${user}):$(id -g ${user})"`);
  });

  it.each([
    ['lambda', '/opt/node-with-heap'],
    ['cloudrun', '/usr/local/bin/node-with-heap'],
    ['generic', '/usr/local/bin/node-with-heap'],
  ])('%s warms through the heap wrapper it runs node with (the heap flag is part of the cache key)', (stage, path) => {
    // Prepare
    const lines = STAGES.get(stage) ?? [];

    // Act
    const runsThrough = lines.some(
      (line) =>
        (line.startsWith('ENV') && line.includes(`AWS_LAMBDA_EXEC_WRAPPER=${path}`)) ||
        (line.startsWith('CMD') && line.includes('"node-with-heap"')),
    );
    const warm = lines.find((line) => line.includes('warm-compile-cache.mjs ')) ?? '';

    // Assess
    expect(runsThrough).toBe(true);
    expect(warm).toContain(`--exec-wrapper ${path}`);
    expect(warm).toMatch(/--memory-sizes "\$\{(LAMBDA|SERVER)_MEMORY_SIZES\}"/);
  });
});
