import type { SelfHostedCredentialsOptions } from './self-hosted-options';

/**
 * The agent's own start-up secrets, applied to `env` before `loadConfig(env)` parses it: first
 * MCD_ADDITIONAL_ENV_VARS (it may itself set MCD_AWS_CA_BUNDLE_SECRET_NAME or AWS_REGION), then the AWS CA bundle.
 * Every entry point (packages/generic/src/generic-entry.ts, the Lambda, Cloud Run and Azure adapters) calls it once, before anything else.
 *
 * Returns notes for the log (variable names and paths, never values). Throws a ConfigError when the CA bundle
 * cannot be installed, which entry points report as one line before exiting.
 */
export async function prepareEnvironment(
  env: Record<string, string | undefined> = process.env,
  clients: SelfHostedCredentialsOptions = {},
): Promise<string[]> {
  // Both steps are imported only when configured: every entry point calls this before its first health answer.
  const notes = env.MCD_ADDITIONAL_ENV_VARS ? (await import('./additional-env-vars')).applyAdditionalEnvVars(env) : [];
  if (env.MCD_AWS_CA_BUNDLE_SECRET_NAME) {
    const { installAwsCaBundle } = await import('./aws-ca-bundle');
    notes.push(...(await installAwsCaBundle(env, clients)));
  }
  return notes;
}
