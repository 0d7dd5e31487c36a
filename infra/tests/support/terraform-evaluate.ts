import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './real-tools';
import type { HclValue, TerraformModule } from './terraform-module';

/**
 * The value of a module's locals for given inputs, computed by the real `terraform console` (no provider needed):
 * the locals `names` reference (transitively) are copied into a scratch module whose variables default to `inputs`,
 * with every other reference (a resource's attribute, a data source) replaced by the literal in `references`. This
 * tests the expressions a plan cannot show (an IAM policy that names a resource created by the same apply).
 */
export async function evaluateLocals(
  module: TerraformModule,
  names: readonly string[],
  inputs: Readonly<Record<string, unknown>>,
  references: Readonly<Record<string, string>> = {},
): Promise<Record<string, unknown>> {
  const needed = new Set<string>();
  const visit = (name: string) => {
    if (needed.has(name)) return;
    const value = module.locals.get(name);
    if (value === undefined) throw new Error(`no local ${name}`);
    needed.add(name);
    for (const match of JSON.stringify(value).matchAll(/\blocal\.(\w+)/g)) visit(match[1] as string);
  };
  for (const name of names) visit(name);
  const substitute = (text: string) =>
    Object.entries(references).reduce((out, [from, to]) => out.replaceAll(from, JSON.stringify(to)), text);
  const locals = [...needed].map((name) => `  ${name} = ${substitute(toHcl(module.locals.get(name) ?? null))}`);
  const variables = Object.entries(inputs).map(
    ([name, value]) => `variable "${name}" {\n  default = ${JSON.stringify(value)}\n}`,
  );
  const dir = await mkdtemp(join(tmpdir(), 'artemis-tf-eval-'));
  try {
    await writeFile(join(dir, 'terraformrc'), '');
    await writeFile(join(dir, 'main.tf'), `${variables.join('\n')}\nlocals {\n${locals.join('\n')}\n}\n`);
    const expression = `jsonencode({${names.map((name) => `${name} = local.${name}`).join(', ')}})`;
    const result = run('sh', ['-c', `echo '${expression}' | terraform console -no-color`], {
      cwd: dir,
      env: { CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: join(dir, 'terraformrc') },
    });
    if (result.status !== 0) throw new Error(`terraform console failed: ${result.stderr}${result.stdout}`);
    return JSON.parse(JSON.parse(result.stdout.trim()) as string) as Record<string, unknown>;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A parsed HCL value written back as HCL: `${expr}` alone is the expression, other strings are templates. */
function toHcl(value: HclValue): string {
  // The parser keeps an interpolation's source text: written back between quotes as it is.
  if (typeof value === 'string') return wholeInterpolation(value) ?? `"${value}"`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(toHcl).join(', ')}]`;
  return `{\n${Object.entries(value)
    .map(([key, item]) => `${/^\w+$/.test(key) ? key : JSON.stringify(key)} = ${toHcl(item)}`)
    .join('\n')}\n}`;
}

/** The expression of a string that is exactly one `${…}`, else undefined. */
function wholeInterpolation(text: string): string | undefined {
  if (!text.startsWith('${') || !text.endsWith('}')) return undefined;
  let depth = 0;
  for (let i = 1; i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) return i === text.length - 1 ? text.slice(2, -1) : undefined;
  }
  return undefined;
}
