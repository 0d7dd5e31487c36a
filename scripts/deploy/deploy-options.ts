import { parseArgs } from 'node:util';

/** What every deploy script takes; each platform reads the ones it needs (see `usage`). */
export interface DeployOptions {
  readonly platform: 'lambda' | 'cloudrun' | 'azure';
  readonly dryRun: boolean;
  readonly remove: boolean;
  readonly yes: boolean;
  readonly tool: 'terraform' | 'cloudformation';
  readonly version: string;
  readonly build: string;
  readonly name: string;
  readonly stateDir: string;
  readonly enableRemoteUpgrade: boolean;
  readonly enablePlatformLogs: boolean;
  /** `--var key=value`: extra module inputs (values read as JSON when they parse). */
  readonly vars: Readonly<Record<string, unknown>>;
  readonly value: (name: string) => string | undefined;
  readonly required: (name: string) => string;
  readonly list: (name: string) => string[];
}

export class UsageError extends Error {}

const PLATFORM_OPTIONS = {
  account: { type: 'string' },
  region: { type: 'string' },
  repository: { type: 'string' },
  'stack-name': { type: 'string' },
  invoker: { type: 'string', multiple: true },
  project: { type: 'string' },
  subscription: { type: 'string' },
  'resource-group': { type: 'string' },
  location: { type: 'string' },
  registry: { type: 'string' },
} as const;

export function parseDeployOptions(platform: DeployOptions['platform'], args: string[]): DeployOptions {
  const { values } = parseArgs({
    args,
    options: {
      'dry-run': { type: 'boolean' },
      remove: { type: 'boolean' },
      yes: { type: 'boolean' },
      tool: { type: 'string' },
      version: { type: 'string' },
      build: { type: 'string' },
      name: { type: 'string' },
      'state-dir': { type: 'string' },
      'enable-remote-upgrade': { type: 'boolean' },
      'enable-platform-logs': { type: 'boolean' },
      var: { type: 'string', multiple: true },
      ...PLATFORM_OPTIONS,
    },
    strict: true,
  });
  const tool = values.tool ?? 'terraform';
  if (tool !== 'terraform' && tool !== 'cloudformation') {
    throw new UsageError(`--tool must be terraform or cloudformation, not ${tool}`);
  }
  if (tool === 'cloudformation' && platform !== 'lambda') {
    throw new UsageError('--tool cloudformation deploys Lambda only; Cloud Run and Azure deploy with terraform');
  }
  const text = (name: string): string | undefined => {
    const value = (values as Record<string, unknown>)[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const required = (name: string): string => {
    const value = text(name);
    if (!value) throw new UsageError(`--${name} is required`);
    return value;
  };
  const remove = values.remove ?? false;
  return {
    platform,
    dryRun: values['dry-run'] ?? false,
    remove,
    yes: values.yes ?? false,
    tool,
    // Removing needs no image.
    version: remove ? (text('version') ?? '') : required('version'),
    build: text('build') ?? '1',
    name: text('name') ?? 'artemis-agent',
    stateDir: text('state-dir') ?? `.artemis/deploy/${platform}`,
    enableRemoteUpgrade: values['enable-remote-upgrade'] ?? false,
    enablePlatformLogs: values['enable-platform-logs'] ?? false,
    vars: Object.fromEntries((values.var ?? []).map(parseVar)),
    value: text,
    required,
    list: (name) => {
      const value = (values as Record<string, unknown>)[name];
      return Array.isArray(value) ? (value as string[]) : [];
    },
  };
}

function parseVar(assignment: string): [string, unknown] {
  const equals = assignment.indexOf('=');
  if (equals <= 0) throw new UsageError(`--var takes name=value, not ${assignment}`);
  const raw = assignment.slice(equals + 1);
  try {
    return [assignment.slice(0, equals), JSON.parse(raw) as unknown];
  } catch {
    return [assignment.slice(0, equals), raw];
  }
}

export function usage(platform: DeployOptions['platform']): string {
  const specific = {
    lambda:
      '--account <id> --region <region> [--repository artemis-agent] [--tool terraform|cloudformation] [--stack-name <name>] [--invoker <principal>]...',
    cloudrun: '--project <id> --region <region> [--repository artemis] [--invoker <service-account-email>]...',
    azure: '--subscription <id> --resource-group <name> --location <region> --registry <acr-name>',
  }[platform];
  return `usage: scripts/deploy-${platform} --version <v> ${specific}
       [--build <n>] [--name artemis-agent] [--enable-remote-upgrade] [--enable-platform-logs] [--var name=value]...
       [--state-dir .artemis/deploy/${platform}] [--yes] [--remove] [--dry-run]
Builds the image, pushes it and applies the template; --dry-run prints the exact commands instead, --remove
deletes the deployment.`;
}
