import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { DeployOptions } from './deploy-options';

/*
 * A deployment as data: the files it writes and the commands it runs, in order. `--dry-run` prints exactly this;
 * a real run writes the files and runs the commands one after the other, stopping at the first failure.
 */

export interface Command {
  readonly argv: readonly string[];
  /** Run `argv` with this command's output as its standard input (`a | b`). */
  readonly pipeFrom?: readonly string[];
  /** Run when `argv` fails (`a || b`): "create unless it exists". */
  readonly orElse?: readonly string[];
  /** Why the step is there, printed as a comment. */
  readonly why: string;
}

export interface DeployFile {
  /** Relative to the repository root. */
  readonly path: string;
  readonly content: string;
}

export interface DeployPlan {
  readonly files: readonly DeployFile[];
  readonly commands: readonly Command[];
}

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

/** POSIX shell quoting, only where needed, so a printed line can be pasted into a shell. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

function line(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

export function describeCommand(command: Command): string {
  let text = line(command.argv);
  if (command.pipeFrom) text = `${line(command.pipeFrom)} | ${text}`;
  if (command.orElse) text = `${text} >/dev/null 2>&1 || ${line(command.orElse)}`;
  return text;
}

/** The plan as a shell script: comments, each file as a heredoc, each command on its line. */
export function printPlan(plan: DeployPlan): string {
  const out: string[] = [];
  for (const file of plan.files) {
    out.push(`# write ${file.path}`);
    out.push(`mkdir -p ${shellQuote(dirname(file.path))}`);
    out.push(`cat > ${shellQuote(file.path)} <<'EOF'`, file.content.trimEnd(), 'EOF');
  }
  for (const command of plan.commands) out.push(`# ${command.why}`, describeCommand(command));
  return `${out.join('\n')}\n`;
}

/** Writes the files and runs the commands from the repository root; returns the first failing exit code, or 0. */
export function runPlan(plan: DeployPlan): number {
  for (const file of plan.files) {
    const path = join(REPO_ROOT, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
  }
  for (const command of plan.commands) {
    process.stderr.write(`+ ${describeCommand(command)}\n`);
    const status = execute(command);
    if (status !== 0) return status;
  }
  return 0;
}

function execute(command: Command): number {
  const [program = '', ...args] = command.argv;
  let input: Buffer | undefined;
  if (command.pipeFrom) {
    const [from = '', ...fromArgs] = command.pipeFrom;
    const piped = spawnSync(from, fromArgs, { cwd: REPO_ROOT, stdio: ['inherit', 'pipe', 'inherit'] });
    if (piped.status !== 0) return piped.status ?? 1;
    input = piped.stdout;
  }
  const result = spawnSync(program, args, {
    cwd: REPO_ROOT,
    input,
    stdio: [input ? 'pipe' : 'inherit', command.orElse ? 'ignore' : 'inherit', command.orElse ? 'ignore' : 'inherit'],
  });
  if (result.status === 0 || !command.orElse) return result.status ?? 1;
  const [fallback = '', ...fallbackArgs] = command.orElse;
  return spawnSync(fallback, fallbackArgs, { cwd: REPO_ROOT, stdio: 'inherit' }).status ?? 1;
}

/** `docker build` of one Dockerfile target, with the version and build number health reports. */
export function dockerBuild(target: string, image: string, options: DeployOptions, why: string): Command {
  return {
    argv: [
      'docker',
      'build',
      '--target',
      target,
      '-t',
      image,
      '--build-arg',
      `MCD_AGENT_VERSION=${options.version}`,
      '--build-arg',
      `MCD_AGENT_BUILD=${options.build}`,
      '.',
    ],
    why,
  };
}

/**
 * The root module file of a Terraform deployment: the provider, the module with the platform's inputs plus what
 * every script passes (name, the remote-operation switches, `--var`s), and the outputs the health call reads.
 */
export function terraformFile(
  options: DeployOptions,
  root: Omit<Parameters<typeof terraformRoot>[0], 'source' | 'inputs'> & {
    readonly module: string;
    readonly inputs: Record<string, unknown>;
  },
): DeployFile {
  const { module, inputs, ...rest } = root;
  return {
    path: `${options.stateDir}/main.tf.json`,
    content: terraformRoot({
      ...rest,
      source: moduleSource(options.stateDir, module),
      inputs: {
        ...inputs,
        name: options.name,
        enable_remote_upgrade: options.enableRemoteUpgrade,
        enable_platform_logs: options.enablePlatformLogs,
        ...options.vars,
      },
    }),
  };
}

/** A module source as Terraform wants it from the root module's folder: a relative path starting with `.`. */
export function moduleSource(stateDir: string, module: string): string {
  const path = relative(stateDir, join('infra', 'terraform', module));
  return path.startsWith('.') ? path : `./${path}`;
}

/** The root module that calls one of infra/terraform's modules, with the provider configured by the deployer. */
export function terraformRoot(options: {
  readonly provider: string;
  readonly providerSource: string;
  readonly providerConfig: Record<string, unknown>;
  readonly source: string;
  readonly inputs: Record<string, unknown>;
  readonly outputs: readonly string[];
  /** Outputs of the module that are sensitive (a root output of one must say so too). */
  readonly sensitiveOutputs?: readonly string[];
}): string {
  const root = {
    terraform: { required_providers: { [options.provider]: { source: options.providerSource } } },
    provider: { [options.provider]: options.providerConfig },
    module: { agent: { source: options.source, ...options.inputs } },
    output: Object.fromEntries(
      options.outputs.map((name) => [
        name,
        { value: `\${module.agent.${name}}`, ...(options.sensitiveOutputs?.includes(name) ? { sensitive: true } : {}) },
      ]),
    ),
  };
  return `${JSON.stringify(root, null, 2)}\n`;
}

/** `terraform init` + `apply` (or `destroy`) in the root module's folder. */
export function terraformCommands(stateDir: string, remove: boolean, yes: boolean): Command[] {
  const approve = yes ? ['-auto-approve'] : [];
  return [
    { argv: ['terraform', `-chdir=${stateDir}`, 'init', '-input=false'], why: 'fetch the provider and the module' },
    remove
      ? {
          argv: ['terraform', `-chdir=${stateDir}`, 'destroy', ...approve],
          why: 'remove everything the module created',
        }
      : { argv: ['terraform', `-chdir=${stateDir}`, 'apply', ...approve], why: 'create or update the deployment' },
  ];
}
