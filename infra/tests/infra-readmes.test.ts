import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { loadCloudFormationTemplate } from './support/cloudformation-template';
import { INFRA_DIR, TERRAFORM_MODULES, terraformModuleDir } from './support/infra-paths';
import { loadTerraformModule } from './support/terraform-module';

/* The READMEs are the interface people read: their tables must list exactly what the templates declare. */

/** First-column names (`name`) of the table under `## heading`, and the rows' cells. */
function tableRows(markdown: string, heading: string): { name: string; cells: string[] }[] {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`no section ${heading}`);
  const section = markdown.slice(start + heading.length + 5).split(/\n## /)[0] ?? '';
  return section
    .split('\n')
    .filter((line) => /^\| `/.test(line))
    .map((line) => {
      const cells = line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim());
      return { name: (cells[0] ?? '').replace(/`/g, ''), cells };
    });
}

function expectedDefault(body: Record<string, unknown>): string {
  if (!('default' in body)) return 'required';
  return body.default === null ? '`null`' : `\`${JSON.stringify(body.default)}\``;
}

describe.each(TERRAFORM_MODULES)('README of terraform module %s', (moduleName) => {
  test('lists every input with its default, and every output, and nothing else', async () => {
    // Prepare
    const module = await loadTerraformModule(terraformModuleDir(moduleName));
    const readme = await readFile(`${terraformModuleDir(moduleName)}/README.md`, 'utf8');

    // Act
    const inputs = tableRows(readme, 'Inputs');
    const outputs = tableRows(readme, 'Outputs');

    // Assess
    expect(inputs.map(({ name }) => name).sort()).toEqual([...module.variables.keys()].sort());
    expect(outputs.map(({ name }) => name).sort()).toEqual([...module.outputs.keys()].sort());
    for (const { name, cells } of inputs)
      expect({ name, default: cells[2] }).toEqual({
        name,
        default: expectedDefault(module.variables.get(name) ?? {}),
      });
  });

  test('shows a usage example and a health check', async () => {
    // Prepare / Act
    const readme = await readFile(`${terraformModuleDir(moduleName)}/README.md`, 'utf8');

    // Assess
    expect(readme).toContain(`source = "./infra/terraform/${moduleName}"`);
    expect(readme).toContain('/api/v1/test/health');
  });
});

describe('README of the CloudFormation template', () => {
  test('lists every parameter and output, and nothing else, and shows how to deploy', async () => {
    // Prepare
    const template = await loadCloudFormationTemplate(`${INFRA_DIR}cloudformation/lambda.yaml`);
    const readme = await readFile(`${INFRA_DIR}cloudformation/README.md`, 'utf8');

    // Act
    const parameters = tableRows(readme, 'Parameters').map(({ name }) => name);
    const outputs = tableRows(readme, 'Outputs').map(({ name }) => name);

    // Assess
    expect(parameters.sort()).toEqual(Object.keys(template.parameters).sort());
    expect(outputs.sort()).toEqual(Object.keys(template.outputs).sort());
    expect(readme).toContain('aws cloudformation deploy');
    expect(readme).toContain('--template-file infra/cloudformation/lambda.yaml');
  });
});

describe('links between the infra READMEs', () => {
  test('point at files that exist', async () => {
    // Prepare
    const readmes = [
      `${INFRA_DIR}README.md`,
      `${INFRA_DIR}cloudformation/README.md`,
      ...TERRAFORM_MODULES.map((name) => `${terraformModuleDir(name)}/README.md`),
    ];

    // Act
    const broken: string[] = [];
    for (const path of readmes) {
      const text = await readFile(path, 'utf8');
      for (const [, target = ''] of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        if (!existsSync(resolve(dirname(path), target))) broken.push(`${path}: ${target}`);
      }
    }

    // Assess
    expect(broken).toEqual([]);
  });
});
