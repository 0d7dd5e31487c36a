// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Terraform and CloudFormation interpolations, not JavaScript templates.
import { describe, expect, test } from '@jest/globals';
import { declaredVariables, loadConfig } from '../../packages/core/src/config/config';
import { type CfnValue, asObject as cfnObject, loadCloudFormationTemplate } from './support/cloudformation-template';
import { INFRA_DIR, terraformModuleDir } from './support/infra-paths';
import { type HclValue, loadTerraformModule, type TerraformModule } from './support/terraform-module';

/*
 * The environment each template gives the agent, against the configuration parser itself (not a copied list):
 * every variable a template sets is one the agent reads, or one its platform or an SDK reads (listed below, with the
 * reader), and the environment each template sets is one the agent starts with (the parser's own required-when
 * rules, e.g. MCD_STACK_ID with MCD_AGENT_WRAPPER_TYPE=CLOUDFORMATION, or the bucket with MCD_STORAGE=S3).
 */

/** Settings a template sets for something other than the agent's configuration. */
const PLATFORM_SETTINGS: Record<string, string> = {
  AZURE_CLIENT_ID: 'DefaultAzureCredential: which user-assigned identity the Azure SDKs use',
  WEBSITE_RUN_FROM_PACKAGE: 'App Service: run the zip package read-only',
  WEBSITES_ENABLE_APP_SERVICE_STORAGE: 'App Service: no shared /home for a container',
  ArtemisAsyncQueue__queueServiceUri: "Functions host: the queue trigger's identity-based connection",
  ArtemisAsyncQueue__credential: "Functions host: the queue trigger's identity-based connection",
  ArtemisAsyncQueue__clientId: "Functions host: the queue trigger's identity-based connection",
};

const DECLARED = new Set(declaredVariables());

/** Values for inputs without a usable default whose variable the parser checks beyond "not empty" (Terraform
 * variable or CloudFormation parameter name → a value a deployment would give). */
const SAMPLES: Record<string, string> = {
  config_source: 'ssm:/artemis/prod/',
  ConfigSource: 'ssm:/artemis/prod/',
};

/** Keys of a Terraform map: an object literal, or the object literals inside a conditional or merge expression. */
function terraformKeys(module: TerraformModule, value: HclValue | undefined): string[] {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return Object.keys(value).map((key) => resolveLocals(module, key));
  }
  if (typeof value !== 'string') return [];
  return [...value.matchAll(/([A-Za-z_][A-Za-z0-9_]*|"[^"]+")\s*=(?!=)/g)].map((match) =>
    resolveLocals(module, (match[1] ?? '').replace(/^"|"$/g, '')),
  );
}

function resolveLocals(module: TerraformModule, text: string): string {
  return text.replace(/\$\{local\.(\w+)\}/g, (_, name: string) => String(module.locals.get(name) ?? name));
}

/** A value the parser can read for a Terraform expression: the variable's default where it names one. */
function terraformValue(module: TerraformModule, value: HclValue | undefined): string {
  if (typeof value !== 'string') return 'sample';
  const variable = /^\$\{(?:tostring\()?var\.(\w+)\)?\}$/.exec(value)?.[1];
  if (variable) {
    const fallback = module.variables.get(variable)?.default;
    return fallback === undefined || fallback === null ? (SAMPLES[variable] ?? 'sample') : String(fallback);
  }
  return value.includes('${') ? 'sample' : value;
}

interface TemplateEnvironment {
  readonly names: string[];
  readonly env: Record<string, string>;
}

/** In a map written as an expression (`var.x == null ? {} : { NAME = var.x }`), what NAME is set to, as `${…}`. */
function expressionValue(local: HclValue | undefined, key: string): string | undefined {
  if (typeof local !== 'string') return undefined;
  const operand = new RegExp(`\\b${key}\\s*=\\s*([^\\s,}]+)`).exec(local)?.[1];
  return operand === undefined ? undefined : `\${${operand}}`;
}

async function terraformEnvironment(name: 'aws-lambda' | 'gcp-cloudrun' | 'azure-functions', maps: string[]) {
  const module = await loadTerraformModule(terraformModuleDir(name));
  const names: string[] = [];
  const env: Record<string, string> = {};
  for (const map of maps) {
    const local = module.locals.get(map);
    for (const key of terraformKeys(module, local)) {
      names.push(key);
      const literal = typeof local === 'object' && local !== null && !Array.isArray(local) ? local[key] : undefined;
      env[key] = terraformValue(module, literal ?? expressionValue(local, key));
    }
  }
  return { names, env };
}

/** The function's environment in lambda.yaml, with each `!If` taken on its `true` side. */
async function cloudFormationEnvironment(): Promise<TemplateEnvironment> {
  const template = await loadCloudFormationTemplate(`${INFRA_DIR}cloudformation/lambda.yaml`);
  const variables = cfnObject(cfnObject(cfnObject(template.resources.Function?.Properties).Environment).Variables);
  const value = (node: CfnValue | undefined): string | undefined => {
    if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') return String(node);
    const object = cfnObject(node);
    if (object.Ref === 'AWS::NoValue') return undefined;
    if (object.Ref === 'AWS::StackId') return 'arn:aws:cloudformation:region:000000000000:stack/artemis/id';
    if (typeof object.Ref === 'string') {
      const fallback = template.parameters[object.Ref]?.Default;
      return fallback === undefined || fallback === '' ? (SAMPLES[object.Ref] ?? 'sample') : String(fallback);
    }
    const branches = object['Fn::If'];
    if (Array.isArray(branches)) return value(branches[1]);
    return 'sample';
  };
  const env: Record<string, string> = {};
  for (const [key, node] of Object.entries(variables)) {
    const resolved = value(node);
    if (resolved !== undefined) env[key] = resolved;
  }
  return { names: Object.keys(variables), env };
}

const TEMPLATES: [string, () => Promise<TemplateEnvironment>][] = [
  [
    'terraform/aws-lambda',
    () =>
      terraformEnvironment('aws-lambda', [
        'managed_environment',
        'platform_logs_environment',
        'config_source_environment',
      ]),
  ],
  [
    'terraform/gcp-cloudrun',
    () => terraformEnvironment('gcp-cloudrun', ['managed_environment', 'config_source_environment']),
  ],
  [
    'terraform/azure-functions',
    () =>
      terraformEnvironment('azure-functions', [
        'storage_settings',
        'identity_settings',
        'deployment_settings',
        'platform_logs_settings',
        'config_source_settings',
      ]),
  ],
  ['cloudformation/lambda.yaml', cloudFormationEnvironment],
];

describe.each(TEMPLATES)('the environment %s sets', (_name, load) => {
  test('holds only variables the agent reads, or its platform reads', async () => {
    // Prepare
    const { names } = await load();

    // Act
    const unknown = names.filter((name) => !DECLARED.has(name) && !(name in PLATFORM_SETTINGS));

    // Assess
    expect(names.length).toBeGreaterThan(4);
    expect(unknown).toEqual([]);
  });

  test('is one the agent starts with (every variable its settings require is set)', async () => {
    // Prepare
    const { env } = await load();

    // Act
    const start = () => loadConfig(env);

    // Assess
    expect(start).not.toThrow();
  });
});

test('the platform settings are not agent variables (or they would belong to the list above)', () => {
  // Act / Assess
  expect(Object.keys(PLATFORM_SETTINGS).filter((name) => DECLARED.has(name))).toEqual([]);
});
