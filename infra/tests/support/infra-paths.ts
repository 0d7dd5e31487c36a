import { fileURLToPath } from 'node:url';

/** The repository's infra/ folder, wherever the tests run from. */
export const INFRA_DIR = fileURLToPath(new URL('../../', import.meta.url));

export const TERRAFORM_MODULES = ['aws-lambda', 'gcp-cloudrun', 'azure-functions'] as const;
export type TerraformModuleName = (typeof TERRAFORM_MODULES)[number];

export function terraformModuleDir(name: TerraformModuleName): string {
  return `${INFRA_DIR}terraform/${name}`;
}
