import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

/*
 * Static analysis of a Terraform module, since nothing here can run `terraform validate`: every `.tf` file is parsed
 * by @cdktf/hcl2json (HashiCorp's HCL parser compiled to WASM, offline) into the JSON form of HCL, and every
 * `${...}` expression is handed back to the same parser for its references (it knows `for` expression variables,
 * splats and nested templates, which a regular expression would not).
 */

/*
 * Loaded through a non-literal specifier so that TypeScript does not read the package's typings: they pull in
 * `/// <reference lib="dom" />`, whose fetch types then clash with Node's across the whole test program.
 */
interface Hcl2Json {
  parse(filename: string, contents: string): Promise<Record<string, unknown>>;
  getReferencesInExpression(filename: string, expression: string): Promise<{ value: string }[]>;
}
const HCL2JSON: string = '@cdktf/hcl2json';
const { parse, getReferencesInExpression } = (await import(HCL2JSON)) as Hcl2Json;

export type HclValue = string | number | boolean | null | HclValue[] | HclObject;
export interface HclObject {
  [key: string]: HclValue;
}

export interface TerraformReference {
  readonly file: string;
  /** Top-level block kind it was found in (`resource`, `locals`, `variable`, ...). */
  readonly section: string;
  /** As the parser prints it: `var.name`, `aws_iam_role.agent.arn`, `data.aws_partition.current.partition`. */
  readonly value: string;
}

export interface TerraformModule {
  readonly name: string;
  /** File name → source text. */
  readonly sources: ReadonlyMap<string, string>;
  /** File name → parsed JSON form. */
  readonly parsed: ReadonlyMap<string, HclObject>;
  readonly variables: ReadonlyMap<string, HclObject>;
  readonly outputs: ReadonlyMap<string, HclObject>;
  readonly locals: ReadonlyMap<string, HclValue>;
  /** `type.name` → body. */
  readonly resources: ReadonlyMap<string, HclObject>;
  /** `type.name` (without `data.`) → body. */
  readonly dataSources: ReadonlyMap<string, HclObject>;
  /** Blocks that are not allowed in a reusable module. */
  readonly providerBlocks: readonly string[];
  readonly requiredVersion: string | undefined;
  /** Local name → `{source, version}` from `terraform { required_providers { ... } }`. */
  readonly requiredProviders: ReadonlyMap<string, HclObject>;
  /** Labels of `dynamic "x"` blocks (and their `iterator` overrides): `x.value` is a valid reference inside. */
  readonly dynamicIterators: ReadonlySet<string>;
  readonly references: readonly TerraformReference[];
}

const TYPE_CONSTRAINT = /^\$\{(string|number|bool|any|list|map|set|object|tuple)\b/;
const ALWAYS_RESOLVABLE = new Set(['each', 'count', 'path', 'terraform', 'self']);

export async function loadTerraformModule(dir: string): Promise<TerraformModule> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.tf')).sort();
  const sources: Record<string, string> = {};
  for (const name of names) sources[name] = await readFile(join(dir, name), 'utf8');
  return parseTerraformModule(basename(dir), sources);
}

export async function parseTerraformModule(name: string, files: Record<string, string>): Promise<TerraformModule> {
  const sources = new Map(Object.entries(files));
  const parsed = new Map<string, HclObject>();
  for (const [file, text] of sources) parsed.set(file, (await parse(file, text)) as HclObject);

  const variables = new Map<string, HclObject>();
  const outputs = new Map<string, HclObject>();
  const locals = new Map<string, HclValue>();
  const resources = new Map<string, HclObject>();
  const dataSources = new Map<string, HclObject>();
  const requiredProviders = new Map<string, HclObject>();
  const providerBlocks: string[] = [];
  let requiredVersion: string | undefined;

  for (const document of parsed.values()) {
    for (const [label, blocks] of entries(document.variable)) variables.set(label, firstBlock(blocks));
    for (const [label, blocks] of entries(document.output)) outputs.set(label, firstBlock(blocks));
    for (const block of list(document.locals)) for (const [key, value] of entries(block)) locals.set(key, value);
    for (const [type, byName] of entries(document.resource))
      for (const [label, blocks] of entries(byName)) resources.set(`${type}.${label}`, firstBlock(blocks));
    for (const [type, byName] of entries(document.data))
      for (const [label, blocks] of entries(byName)) dataSources.set(`${type}.${label}`, firstBlock(blocks));
    for (const [label] of entries(document.provider)) providerBlocks.push(label);
    for (const block of list(document.terraform)) {
      if (typeof block !== 'object' || block === null || Array.isArray(block)) continue;
      if (typeof block.required_version === 'string') requiredVersion = block.required_version;
      for (const providers of list(block.required_providers))
        for (const [local, spec] of entries(providers)) requiredProviders.set(local, asObject(spec));
    }
  }

  const dynamicIterators = new Set<string>();
  const expressions: { file: string; section: string; text: string }[] = [];
  for (const [file, document] of parsed) {
    for (const [section, content] of Object.entries(document))
      walk(withoutIgnoreChanges(content), (key, value) => {
        if (key === 'dynamic') {
          for (const [label, blocks] of entries(value)) {
            dynamicIterators.add(label);
            for (const block of list(blocks)) {
              const iterator = asObject(block).iterator;
              if (typeof iterator === 'string') dynamicIterators.add(iterator);
            }
          }
        }
        // A type constraint (`type = list(string)`) comes back as `${list(string)}` but references nothing.
        const isTypeConstraint = key === 'type' && typeof value === 'string' && TYPE_CONSTRAINT.test(value);
        if (typeof value === 'string' && value.includes('${') && !isTypeConstraint)
          expressions.push({ file, section, text: value });
        if (key?.includes('${')) expressions.push({ file, section, text: key });
      });
  }
  // The WASM bridge answers concurrent calls far faster than sequential ones.
  const found = await Promise.all(
    expressions.map(async ({ file, section, text }) =>
      (await getReferencesInExpression(file, asQuotedTemplate(text))).map((reference) => ({
        file,
        section,
        value: reference.value,
      })),
    ),
  );

  return {
    name,
    sources,
    parsed,
    variables,
    outputs,
    locals,
    resources,
    dataSources,
    providerBlocks,
    requiredVersion,
    requiredProviders,
    dynamicIterators,
    references: found.flat(),
  };
}

/** References to a variable, local, resource or data source the module does not declare. */
export function unresolvedReferences(module: TerraformModule): string[] {
  const problems = new Set<string>();
  for (const { file, value } of module.references) {
    const [root = '', second = '', third = ''] = value.split('.');
    const resolved =
      ALWAYS_RESOLVABLE.has(root) ||
      module.dynamicIterators.has(root) ||
      (root === 'var' && module.variables.has(second)) ||
      (root === 'local' && module.locals.has(second)) ||
      (root === 'data' && module.dataSources.has(`${second}.${third}`)) ||
      module.resources.has(`${root}.${second}`);
    if (!resolved) problems.add(`${file}: ${value}`);
  }
  return [...problems].sort();
}

/**
 * Declared names (variables, locals, data sources) that nothing references. A variable's own validation does not
 * count as a use: it checks the value, it does not consume it.
 */
export function unusedDeclarations(module: TerraformModule): string[] {
  const used = new Set(
    module.references
      .filter(({ section }) => section !== 'variable')
      .map(({ value }) => {
        const [root = '', second = '', third = ''] = value.split('.');
        return root === 'data' ? `data.${second}.${third}` : `${root}.${second}`;
      }),
  );
  const declared = [
    ...[...module.variables.keys()].map((name) => `var.${name}`),
    ...[...module.locals.keys()].map((name) => `local.${name}`),
    ...[...module.dataSources.keys()].map((name) => `data.${name}`),
  ];
  return declared.filter((name) => !used.has(name)).sort();
}

/** Variables without a non-empty description or without a type constraint. */
export function undocumentedVariables(module: TerraformModule): string[] {
  return [...module.variables]
    .filter(([, body]) => !(typeof body.description === 'string' && body.description.trim() !== '' && body.type))
    .map(([name]) => name)
    .sort();
}

/** Validation and precondition messages Terraform (< 1.2 at least) rejects: one sentence, capitalised, full stop. */
export function malformedErrorMessages(module: TerraformModule): string[] {
  const problems: string[] = [];
  for (const document of module.parsed.values()) {
    walk(document, (key, value) => {
      if (key === 'error_message' && (typeof value !== 'string' || !/^[A-Z].*[.?]$/s.test(value)))
        problems.push(String(value));
    });
  }
  return problems;
}

/**
 * Values that must never be written into a reusable template: account/subscription IDs, region names, access keys,
 * private keys and literal secrets. Placeholders (`<account>`) and validation patterns (`[0-9]{12}`) pass.
 */
export function hardCodedValues(text: string): string[] {
  const patterns: [string, RegExp][] = [
    ['AWS account ID', /(?<![\w-])\d{12}(?![\w-])/g],
    ['Azure subscription/tenant ID', /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi],
    [
      'AWS region',
      /\b(us|eu|ap|sa|ca|me|af|il|mx)-(gov-)?(east|west|north|south|central|northeast|southeast|northwest|southwest)-\d\b/g,
    ],
    [
      'Google Cloud region',
      /\b(us|europe|asia|australia|northamerica|southamerica|me|africa)-(east|west|central|north|south|northeast|southeast|northwest|southwest)\d+\b/g,
    ],
    [
      'Azure region',
      /\b(eastus2?|westus[23]?|centralus|northcentralus|southcentralus|westeurope|northeurope|uksouth|ukwest|francecentral|germanywestcentral|swedencentral|switzerlandnorth|southeastasia|eastasia|japaneast|australiaeast|canadacentral|brazilsouth|centralindia|koreacentral)\b/gi,
    ],
    ['AWS access key', /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g],
    ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/g],
    [
      'literal secret',
      /^\s*"?\w*(password|secret|secret_key|access_key|api_key|client_secret|token)"?\s*[=:]\s*"(?!\$\{)[^"\s]+"/gim,
    ],
  ];
  const findings: string[] = [];
  for (const [kind, pattern] of patterns)
    for (const match of text.matchAll(pattern)) findings.push(`${kind}: ${match[0]}`);
  return findings;
}

/** Every object in the tree (depth first), for assertions such as "no IAM statement grants `*`". */
export function collectObjects(value: HclValue, predicate: (object: HclObject) => boolean): HclObject[] {
  const found: HclObject[] = [];
  walk(value, (_key, node) => {
    if (typeof node === 'object' && node !== null && !Array.isArray(node) && predicate(node)) found.push(node);
  });
  return found;
}

/** The single block under `key` of a parsed block (HCL JSON keeps every nested block in a list). */
export function block(body: HclObject | undefined, key: string): HclObject {
  const value = body?.[key];
  if (value === undefined) throw new Error(`no block ${key}`);
  return firstBlock(value);
}

export function asObject(value: HclValue | undefined): HclObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
}

export function list(value: HclValue | undefined): HclValue[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * hcl2json hands back a template with its literal parts unescaped (`run "x" ${a}`), while the expression parser wants
 * HCL source: re-escape the literal parts, keep every `${...}` interpolation as written.
 */
function asQuotedTemplate(text: string): string {
  let out = '"';
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (depth === 0 && char === '$' && text[i + 1] === '{') {
      depth = 1;
      out += '${';
      i++;
    } else if (depth > 0) {
      if (char === '{') depth++;
      if (char === '}') depth--;
      out += char;
    } else if (char === '"' || char === '\\') out += `\\${char}`;
    else if (char === '\n') out += '\\n';
    else out += char;
  }
  return `${out}"`;
}

/** `lifecycle { ignore_changes = [...] }` lists attribute paths (`app_settings["X"]`), not references. */
function withoutIgnoreChanges(value: HclValue): HclValue {
  if (Array.isArray(value)) return value.map(withoutIgnoreChanges);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'ignore_changes')
      .map(([key, inner]) => [key, withoutIgnoreChanges(inner)]),
  );
}

function firstBlock(value: HclValue): HclObject {
  return asObject(list(value)[0]);
}

function entries(value: HclValue | undefined): [string, HclValue][] {
  return Object.entries(asObject(value));
}

function walk(value: HclValue, visit: (key: string | undefined, value: HclValue) => void, key?: string): void {
  visit(key, value);
  if (Array.isArray(value)) for (const item of value) walk(item, visit, undefined);
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) walk(v, visit, k);
}
