import { readConfigSourceSetting } from '../config/config';
import type { SelfHostedCredentialsOptions } from '../credentials/self-hosted-options';
import { configVariables } from './config-variables';
import { readConfigSource } from './read-config-source';

type MutableEnv = Record<string, string | undefined>;

export interface AppliedConfigSource {
  /** For the log: how many variables came from the source, their names, never a value. */
  readonly notes: string[];
  /** The names the source set in `env` (health lists them). */
  readonly variables: readonly string[];
}

/**
 * MCD_CONFIG_SOURCE: reads the store once (on Lambda, once per cold start: the environment it sets lives as long as
 * the instance) and sets its variables in `env` before the configuration is parsed. A variable already set in the
 * environment wins unless MCD_CONFIG_SOURCE_OVERRIDES is `true`. Every failure is a ConfigError: start-up stops with
 * one line naming the source and the reason, and `env` is left as it was (nothing is applied from a refused store).
 */
export async function applyConfigSource(
  env: MutableEnv,
  clients: SelfHostedCredentialsOptions = {},
): Promise<AppliedConfigSource> {
  const setting = readConfigSourceSetting(env);
  if (!setting) return { notes: [], variables: [] };
  const content = await readConfigSource(setting.source, setting.location, env, clients);
  const { values, unread } = configVariables(setting.source, content);
  const applied: string[] = [];
  const kept: string[] = [];
  for (const [name, value] of values) {
    // Empty counts as unset, as loadConfig reads it.
    if (env[name] !== undefined && env[name] !== '' && !setting.overrides) {
      kept.push(name);
    } else {
      env[name] = value;
      applied.push(name);
    }
  }
  const count = (n: number) => (n === 1 ? '1 variable' : `${n} variables`);
  let note = `Configuration source ${setting.source}: ${count(applied.length)} applied`;
  if (applied.length > 0) note += ` (${applied.join(', ')})`;
  if (kept.length > 0) note += `; ${count(kept.length)} left as the environment sets them (${kept.join(', ')})`;
  const notes = [note];
  if (unread.length > 0)
    notes.push(`Configuration source ${setting.source}: not read by the agent: ${unread.join(', ')}`);
  return { notes, variables: applied };
}
