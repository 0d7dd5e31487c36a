import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';

/*
 * ARCHITECTURE.md and the README are the map a newcomer trusts: every repository path they name must exist, and
 * every package folder must be described (as infra/tests/infra-readmes.test.ts does for the infra READMEs).
 */
const ROOT = join(import.meta.dirname, '..', '..');
const DOCUMENTS = ['ARCHITECTURE.md', 'README.md'];
/** Where repository paths start; anything else in backticks is a URL path, a command, a value. */
const TREE_ROOTS = /^(packages|infra|scripts|\.ci)\//;
/** The repository's own root files; a bare file name elsewhere is named relative to its context. */
const ROOT_FILES =
  /^(Dockerfile|package\.json|pnpm-workspace\.yaml|pnpm-lock\.yaml|jest\.config\.ts|tsconfig(\.base)?\.json|biome\.json|README\.md|ARCHITECTURE\.md)$/;

/** Paths named in a document: backticked repository paths and relative link targets. */
function pathsNamedIn(markdown: string): string[] {
  const candidates = [
    ...[...markdown.matchAll(/`([^`\n]+)`/g)].map((match) => match[1] ?? ''),
    ...[...markdown.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((match) => match[1] ?? ''),
  ];
  const paths = candidates
    .map((text) => text.trim().replace(/^\.\//, ''))
    // Placeholders (`packages/<name>`), globs and brace lists name families of paths, not one.
    .filter((text) => !/[<>{}*\s]/.test(text) && !/^[a-z]+:/.test(text))
    .filter((text) => TREE_ROOTS.test(text) || ROOT_FILES.test(text));
  return [...new Set(paths)];
}

const packageFolders = readdirSync(join(ROOT, 'packages'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

describe.each(DOCUMENTS)('%s', (document) => {
  const markdown = readFileSync(join(ROOT, document), 'utf8');

  it('names only paths that exist in the tree', () => {
    // Act
    const missing = pathsNamedIn(markdown).filter((path) => !existsSync(join(ROOT, path)));

    // Assess
    expect(missing).toEqual([]);
  });

  it('describes every package folder in a table row', () => {
    // Act
    const undescribed = packageFolders.filter(
      (name) => !new RegExp(`^\\|[^|\\n]*\`packages/${name}\``, 'm').test(markdown),
    );

    // Assess
    expect(packageFolders.length).toBeGreaterThan(5);
    expect(undescribed).toEqual([]);
  });
});

describe('the path finder', () => {
  it('finds backticked repository paths and relative links, and skips what is not a path', () => {
    // Act
    const paths = pathsNamedIn(
      [
        'See `packages/core/src/index.ts`, [the infra](infra/README.md#top), `./scripts/start` and `Dockerfile`.',
        'Not paths: `/api/v1/test/health`, `packages/<name>`, `infra/terraform/{a,b}`, `MCD_STORAGE`, `dist`,',
        '[a site](https://example.com/x.md), `node dist/generic/index.mjs`, `true`.',
      ].join('\n'),
    );

    // Assess
    expect(paths).toEqual(['packages/core/src/index.ts', 'scripts/start', 'Dockerfile', 'infra/README.md']);
  });
});
