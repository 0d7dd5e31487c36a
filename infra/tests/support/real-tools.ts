import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * The real infrastructure tools, where the machine has them: terraform (with provider plugins in a local
 * directory, since nothing here reaches the Terraform registry) and cfn-lint. A test that needs one is skipped,
 * with the reason in its name, where it is missing.
 */

export const PLUGIN_DIR = '/opt/tf-plugins';

export interface ToolResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(command: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status ?? -1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

export function hasTool(command: string, versionArgs: string[] = ['--version']): boolean {
  return run(command, versionArgs).status === 0;
}

/** True when `PLUGIN_DIR` holds the provider (`hashicorp/aws`, …) for `terraform init -plugin-dir`. */
export function hasProviderPlugin(provider: string): boolean {
  return existsSync(join(PLUGIN_DIR, 'registry.terraform.io', provider));
}

/**
 * A throwaway root module that calls one module of infra/terraform with a provider configured to need no network
 * and no credentials (plans of resources are computed locally; no data source here calls an API).
 */
export class TerraformRoot {
  private constructor(
    readonly dir: string,
    private readonly env: Record<string, string>,
  ) {}

  static async create(): Promise<TerraformRoot> {
    const dir = await mkdtemp(join(tmpdir(), 'artemis-tf-'));
    const cliConfig = join(dir, 'terraformrc');
    await writeFile(cliConfig, '');
    return new TerraformRoot(dir, {
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      TF_CLI_CONFIG_FILE: cliConfig,
    });
  }

  /** Writes the root module: the AWS provider offline and `module "agent"` with `inputs`. */
  async writeAwsRoot(source: string, inputs: Record<string, unknown>): Promise<void> {
    const root = {
      terraform: { required_providers: { aws: { source: 'hashicorp/aws' } } },
      provider: {
        aws: {
          region: 'us-east-1',
          access_key: 'offline',
          secret_key: 'offline',
          skip_credentials_validation: true,
          skip_requesting_account_id: true,
          skip_metadata_api_check: true,
          skip_region_validation: true,
        },
      },
      module: { agent: { source, ...inputs } },
    };
    await writeFile(join(this.dir, 'main.tf.json'), JSON.stringify(root, null, 2));
  }

  terraform(...args: string[]): ToolResult {
    return run('terraform', [...args, '-no-color'], { cwd: this.dir, env: this.env });
  }

  /** `terraform plan` to a file, and its JSON form when it succeeded. */
  plan(): ToolResult & { readonly json?: PlanJson } {
    const planned = this.terraform('plan', '-input=false', '-lock=false', '-refresh=false', '-out=plan.out');
    if (planned.status !== 0) return planned;
    const shown = run('terraform', ['show', '-json', 'plan.out'], { cwd: this.dir, env: this.env });
    return { ...planned, json: JSON.parse(shown.stdout) as PlanJson };
  }

  remove(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }
}

export interface PlanJson {
  readonly resource_changes?: { readonly address: string; readonly change: { readonly after?: unknown } }[];
}
