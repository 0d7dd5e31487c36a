import { azurePlan } from './deploy/azure-plan';
import { cloudRunPlan } from './deploy/cloudrun-plan';
import { type DeployOptions, parseDeployOptions, UsageError, usage } from './deploy/deploy-options';
import { type DeployPlan, printPlan, runPlan } from './deploy/deploy-plan';
import { lambdaPlan } from './deploy/lambda-plan';

/*
 * scripts/deploy-{lambda,cloudrun,azure}: the README's build → push → apply sequence for one runtime (Terraform, or
 * CloudFormation for Lambda with --tool cloudformation), then a health call. --dry-run prints the exact commands
 * and the root module it would write, and runs nothing.
 */

const PLANS: Record<DeployOptions['platform'], (options: DeployOptions) => DeployPlan> = {
  lambda: lambdaPlan,
  cloudrun: cloudRunPlan,
  azure: azurePlan,
};

function main(argv: string[]): number {
  const platform = argv[0] as DeployOptions['platform'];
  if (!(platform in PLANS)) {
    process.stderr.write('usage: tsx scripts/deploy.ts lambda|cloudrun|azure [options]\n');
    return 2;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage(platform)}\n`);
    return 0;
  }
  let options: DeployOptions;
  try {
    options = parseDeployOptions(platform, argv.slice(1));
  } catch (error) {
    process.stderr.write(`deploy-${platform}: ${(error as Error).message}\n${usage(platform)}\n`);
    return error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
  }
  const plan = PLANS[platform](options);
  if (options.dryRun) {
    process.stdout.write(printPlan(plan));
    return 0;
  }
  return runPlan(plan);
}

process.exitCode = main(process.argv.slice(2));
