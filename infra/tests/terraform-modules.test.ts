// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Terraform and CloudFormation interpolations, not JavaScript templates.
import { describe, expect, test } from '@jest/globals';
import { TERRAFORM_MODULES, terraformModuleDir } from './support/infra-paths';
import {
  hardCodedValues,
  loadTerraformModule,
  malformedErrorMessages,
  undocumentedVariables,
  unresolvedReferences,
  unusedDeclarations,
} from './support/terraform-module';

/*
 * The rules every Terraform module under infra/terraform/ follows, checked on the real files (nothing here can run
 * `terraform validate`). Each check is shown to catch its defect in static-analysis.test.ts.
 */

const REQUIRED_FILES = ['versions.tf', 'variables.tf', 'main.tf', 'outputs.tf'];

describe.each(TERRAFORM_MODULES)('terraform module %s', (moduleName) => {
  const loaded = loadTerraformModule(terraformModuleDir(moduleName));

  test('has the standard files and configures no provider itself', async () => {
    // Prepare / Act
    const module = await loaded;

    // Assess: a reusable module leaves provider configuration (region, credentials) to its caller.
    expect([...module.sources.keys()]).toEqual(expect.arrayContaining(REQUIRED_FILES));
    expect(module.providerBlocks).toEqual([]);
  });

  test('pins Terraform and every provider it uses in versions.tf', async () => {
    // Prepare
    const module = await loaded;
    const versions = module.parsed.get('versions.tf');

    // Act
    const usedProviders = new Set(
      [...module.resources.keys(), ...module.dataSources.keys()].map((address) => address.split('_')[0]),
    );

    // Assess
    expect(versions?.terraform).toBeDefined();
    expect(module.requiredVersion).toMatch(/^>= ?1\.\d+/);
    for (const provider of usedProviders) {
      const spec = module.requiredProviders.get(provider ?? '');
      expect({ provider, source: spec?.source }).toEqual({ provider, source: `hashicorp/${provider}` });
      // Bounded on both sides: a new major version must be a deliberate upgrade.
      expect({ provider, version: spec?.version }).toEqual({ provider, version: expect.stringMatching(/>=.*,\s*</) });
    }
    expect([...module.requiredProviders.keys()].sort()).toEqual([...usedProviders].sort());
  });

  test('declares every variable, local and data source it references', async () => {
    // Prepare / Act
    const module = await loaded;

    // Assess
    expect(module.references.length).toBeGreaterThan(50);
    expect(unresolvedReferences(module)).toEqual([]);
  });

  test('uses every variable, local and data source it declares', async () => {
    // Prepare / Act
    const module = await loaded;

    // Assess
    expect(unusedDeclarations(module)).toEqual([]);
  });

  test('describes and types every variable, with validation messages Terraform accepts', async () => {
    // Prepare / Act
    const module = await loaded;

    // Assess
    expect(module.variables.size).toBeGreaterThan(10);
    expect(undocumentedVariables(module)).toEqual([]);
    expect(malformedErrorMessages(module)).toEqual([]);
  });

  test('has described outputs', async () => {
    // Prepare / Act
    const module = await loaded;
    const outputs = [...module.outputs];

    // Assess
    expect(outputs.length).toBeGreaterThanOrEqual(4);
    for (const [name, body] of outputs) {
      expect({ name, description: typeof body.description, value: body.value !== undefined }).toEqual({
        name,
        description: 'string',
        value: true,
      });
    }
  });

  test('hard-codes no account or subscription IDs, regions or secrets', async () => {
    // Prepare
    const module = await loaded;

    // Act
    const findings = [...module.sources].flatMap(([file, text]) => hardCodedValues(text).map((f) => `${file}: ${f}`));

    // Assess
    expect(findings).toEqual([]);
  });

  test('lets the caller override the managed MCD_* settings only through dedicated variables', async () => {
    // Prepare
    const module = await loaded;
    const extra = module.variables.get('environment_variables') ?? module.variables.get('app_settings');

    // Act
    const guard = JSON.stringify(extra?.validation);

    // Assess: the extra map exists and its validation names the storage settings the module owns.
    expect(extra?.type).toBe('${map(string)}');
    expect(guard).toContain('MCD_STORAGE');
    expect(guard).toContain('MCD_STORAGE_BUCKET_NAME');
  });
});
