import type { SelfHostedCredentialsOptions } from './self-hosted-options';

export interface PreparedEnvironment {
  /** Notes for the log (variable names, counts and paths, never values). */
  readonly notes: string[];
  /** The names MCD_CONFIG_SOURCE set (health lists them instead of their values). */
  readonly configSourceVariables: readonly string[];
}

/**
 * The agent's own start-up settings, applied to `env` before `loadConfig(env)` parses it, in this order:
 * MCD_ADDITIONAL_ENV_VARS (it may itself set any of the others, or AWS_REGION), the AWS CA bundle (the configuration
 * source may sit behind the proxy it is for), then MCD_CONFIG_SOURCE (config-source/README.md).
 * Every entry point calls it once, before anything else, through bootAgent (agent/boot-agent.ts).
 *
 * Throws a ConfigError when the CA bundle cannot be installed or the configuration source cannot be read or is
 * refused, which entry points report as one line before exiting.
 */
export async function prepareEnvironment(
  env: Record<string, string | undefined> = process.env,
  clients: SelfHostedCredentialsOptions = {},
): Promise<PreparedEnvironment> {
  // Each step is imported only when configured: every entry point calls this before its first health answer.
  const notes = env.MCD_ADDITIONAL_ENV_VARS ? (await import('./additional-env-vars')).applyAdditionalEnvVars(env) : [];
  if (env.MCD_AWS_CA_BUNDLE_SECRET_NAME) {
    const { installAwsCaBundle } = await import('./aws-ca-bundle');
    notes.push(...(await installAwsCaBundle(env, clients)));
  }
  if (!env.MCD_CONFIG_SOURCE) return { notes, configSourceVariables: [] };
  const { applyConfigSource } = await import('../config-source/apply-config-source');
  const applied = await applyConfigSource(env, clients);
  notes.push(...applied.notes);
  return { notes, configSourceVariables: applied.variables };
}
