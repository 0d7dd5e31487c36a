/*
 * Optional, outside the test suite: checks every attribute and block name the Terraform modules write, and every
 * attribute they reference (`aws_lambda_function.agent.arn`), against the real provider schemas. The schemas come
 * from the prebuilt CDKTF provider bindings on npm (generated from `terraform providers schema`), about 1 GB
 * installed, hence not a dev dependency:
 *
 *   npm install --prefix /tmp/provider-schemas --ignore-scripts \
 *     @cdktf/provider-aws@21 @cdktf/provider-google@16 @cdktf/provider-azurerm@14
 *   node_modules/.bin/tsx infra/tools/check-provider-schemas.ts /tmp/provider-schemas
 *
 * (Those bindings track aws 6.x, google 6.x and azurerm 4.x. The random provider is not checked.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type HclObject, type HclValue, list, loadTerraformModule } from '../tests/support/terraform-module';

const prefix = process.argv[2];
if (!prefix) throw new Error('usage: check-provider-schemas.ts <npm prefix holding @cdktf/provider-*>');
const BINDINGS = `${prefix}/node_modules/@cdktf`;
const MODULES_DIR = fileURLToPath(new URL('../terraform/', import.meta.url));
const META_ARGUMENTS = new Set(['count', 'for_each', 'depends_on', 'lifecycle', 'provider']);
const PROVIDERS: Record<string, string> = { aws: 'aws', google: 'google', azurerm: 'azurerm' };

/** Per block: attribute or block name → the generated function that maps its nested block (null for a value). */
type BlockSchema = Map<string, string | null>;
interface Binding {
  readonly source: string;
  readonly blocks: Map<string, BlockSchema>;
}
const bindings = new Map<string, Binding | undefined>();

function binding(type: string, isData: boolean): Binding | undefined {
  const provider = PROVIDERS[type.split('_')[0] ?? ''];
  if (!provider) return undefined;
  const name = type.slice(provider.length + 1).replace(/_/g, '-');
  const file = `${BINDINGS}/provider-${provider}/lib/${isData ? `data-${provider}-${name}` : name}/index.js`;
  if (!bindings.has(file)) bindings.set(file, existsSync(file) ? readBinding(file) : undefined);
  return bindings.get(file);
}

function readBinding(file: string): Binding {
  const source = readFileSync(file, 'utf8');
  const blocks = new Map<string, BlockSchema>();
  for (const match of source.matchAll(
    /function (\w+ToTerraform)\(struct\) \{[\s\S]*?return \{([\s\S]*?)\n {4}\};\n\}/g,
  ))
    blocks.set(match[1] ?? '', fields(match[2] ?? ''));
  blocks.set('root', fields(source.match(/synthesizeAttributes\(\) \{\s*return \{([\s\S]*?)\n {8}\};/)?.[1] ?? ''));
  return { source, blocks };
}

function fields(body: string): BlockSchema {
  const schema: BlockSchema = new Map();
  for (const line of body.split('\n')) {
    const match = line.match(/^\s*(\w+): (.*)$/);
    if (!match) continue;
    const nested = [...(match[2] ?? '').matchAll(/(\w+ToTerraform)\b/g)]
      .map((m) => m[1] ?? '')
      .filter((fn) => !/^(string|number|boolean|any)ToTerraform$/.test(fn));
    schema.set(match[1] ?? '', nested.at(-1) ?? null);
  }
  return schema;
}

const problems: string[] = [];

function checkBlock(where: string, body: HclObject, bound: Binding, schemaName: string): void {
  const schema = bound.blocks.get(schemaName);
  if (!schema) return void problems.push(`${where}: no schema ${schemaName}`);
  for (const [key, value] of Object.entries(body)) {
    if (META_ARGUMENTS.has(key)) continue;
    if (key === 'dynamic') {
      for (const [label, blocks] of Object.entries(value as HclObject)) {
        const nested = schema.get(label);
        if (!nested) problems.push(`${where}: unknown dynamic block ${label}`);
        else
          for (const block of list(blocks))
            for (const content of list((block as HclObject).content))
              checkBlock(`${where}.${label}`, content as HclObject, bound, nested);
      }
      continue;
    }
    if (!schema.has(key)) {
      problems.push(`${where}: unknown argument ${key}`);
      continue;
    }
    const nested = schema.get(key);
    if (nested && Array.isArray(value))
      for (const block of value as HclValue[])
        if (typeof block === 'object' && block !== null && !Array.isArray(block))
          checkBlock(`${where}.${key}`, block, bound, nested);
  }
}

const camel = (name: string) => name.replace(/_(\w)/g, (_, letter: string) => letter.toUpperCase());

for (const moduleName of ['aws-lambda', 'gcp-cloudrun', 'azure-functions']) {
  const module = await loadTerraformModule(`${MODULES_DIR}${moduleName}`);
  for (const [isData, blocks] of [
    [false, module.resources],
    [true, module.dataSources],
  ] as const) {
    for (const [address, body] of blocks) {
      const type = address.split('.')[0] ?? '';
      if (!PROVIDERS[type.split('_')[0] ?? '']) continue;
      const bound = binding(type, isData);
      if (!bound) problems.push(`${moduleName} ${address}: no such ${isData ? 'data source' : 'resource'}`);
      else checkBlock(`${moduleName} ${address}`, body, bound, 'root');
    }
  }
  for (const { value } of module.references) {
    const parts = value.split('.');
    const isData = parts[0] === 'data';
    const [type = '', , attribute] = isData ? parts.slice(1) : parts;
    if (!attribute || /^\d+$/.test(attribute)) continue;
    const bound = binding(type, isData);
    if (bound && !new RegExp(`get ${camel(attribute)}(Attribute)?\\(\\)`).test(bound.source))
      problems.push(`${moduleName}: ${value}: no attribute ${attribute}`);
  }
}

console.log(problems.length > 0 ? problems.join('\n') : 'every argument, block and referenced attribute exists');
process.exitCode = problems.length > 0 ? 1 : 0;
