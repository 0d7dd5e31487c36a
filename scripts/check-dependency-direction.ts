/**
 * One dependency direction (ARCHITECTURE.md): adapters and connectors import core; core imports no sibling package
 * and loads every platform SDK and driver lazily (`await import()`), so a health check never pays for them (SPEC §1,
 * §11). pnpm refuses workspace cycles (`disallowWorkspaceCycles`); this check covers what pnpm cannot see: a static
 * `import` in core's sources. Type-only imports are erased by the compiler and allowed.
 *
 *   tsx scripts/check-dependency-direction.ts        exits 1 and lists every violation
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** Modules core's sources may reach only through `await import()`. */
export const LAZY_ONLY =
  /^(@artemis\/|@aws-sdk\/|@smithy\/|@google-cloud\/|@azure\/|googleapis|google-auth-library|pg$|pg-|mysql2|snowflake-sdk|@databricks\/|trino-client|presto-client)/;

export interface Violation {
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
}

/** Static, value-level imports and re-exports of `LAZY_ONLY` modules in one source text. */
export function staticImportViolations(file: string, source: string): Violation[] {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const violations: Violation[] = [];
  const report = (node: ts.Node, specifier: string) => {
    if (!LAZY_ONLY.test(specifier)) return;
    const { line } = sourceFile.getLineAndCharacterOfPosition(node.getStart());
    violations.push({ file, line: line + 1, specifier });
  };
  for (const statement of sourceFile.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      if (!isTypeOnlyImport(statement)) report(statement, statement.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier) {
      if (!statement.isTypeOnly && ts.isStringLiteral(statement.moduleSpecifier)) {
        report(statement, statement.moduleSpecifier.text);
      }
    } else if (ts.isImportEqualsDeclaration(statement) && !statement.isTypeOnly) {
      const reference = statement.moduleReference;
      if (ts.isExternalModuleReference(reference) && ts.isStringLiteral(reference.expression)) {
        report(statement, reference.expression.text);
      }
    }
  }
  return violations;
}

function isTypeOnlyImport(declaration: ts.ImportDeclaration): boolean {
  const clause = declaration.importClause;
  if (!clause) return false; // `import 'x'` runs the module
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.every((e) => e.isTypeOnly);
}

/** Workspace packages core may depend on: none at run time; the test helpers (which depend on nothing) in dev. */
export function manifestViolations(manifest: {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}): string[] {
  const runtime = Object.keys(manifest.dependencies ?? {}).filter((name) => name.startsWith('@artemis/'));
  const dev = Object.keys(manifest.devDependencies ?? {}).filter(
    (name) => name.startsWith('@artemis/') && name !== '@artemis/testkit',
  );
  return [...runtime, ...dev];
}

async function* typeScriptFiles(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* typeScriptFiles(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

/** Every violation in the repository at `root`, as printable lines. */
export async function checkDependencyDirection(root: string): Promise<string[]> {
  const problems: string[] = [];
  const coreDir = join(root, 'packages', 'core');
  for await (const file of typeScriptFiles(join(coreDir, 'src'))) {
    for (const v of staticImportViolations(file, await readFile(file, 'utf8'))) {
      problems.push(
        `${relative(root, v.file)}:${v.line}: static import of ${v.specifier} (core loads it lazily or not at all)`,
      );
    }
  }
  const manifest = JSON.parse(await readFile(join(coreDir, 'package.json'), 'utf8'));
  for (const name of manifestViolations(manifest)) {
    problems.push(`packages/core/package.json: depends on ${name} (core depends on no sibling package)`);
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problems = await checkDependencyDirection(join(import.meta.dirname, '..'));
  for (const problem of problems) process.stderr.write(`${problem}\n`);
  process.exitCode = problems.length > 0 ? 1 : 0;
}
