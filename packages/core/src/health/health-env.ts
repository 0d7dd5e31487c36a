import { availableParallelism } from 'node:os';
import { REDACTED, redact, redactSetting, SECRET_NAME } from '../logging/redact';

/** Runtime variables that identify where the agent runs (SPEC §6). */
const RUNTIME_VARIABLES = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_EXECUTION_ENV',
  'K_SERVICE',
  'K_REVISION',
  'K_CONFIGURATION',
  'WEBSITE_HOSTNAME',
  'WEBSITE_SITE_NAME',
  'FUNCTIONS_EXTENSION_VERSION',
  'FUNCTIONS_WORKER_RUNTIME',
  'REGION_NAME',
];

/**
 * The health view of the environment (SPEC §6). An MCD_* variable whose name says it holds a secret is never shown;
 * the others are redacted by value (logging/redact.ts): passwords in URLs and connection strings, sensitive keys at
 * any depth of a JSON document. MCD_ADDITIONAL_ENV_VARS shows its variables' names, each value under the same rules.
 * The variables MCD_CONFIG_SOURCE set (`fromSource`) are left out: the health route lists their names only, since a
 * parameter store holds what an operator did not want in the template, whatever its name.
 */
export function healthEnv(
  env: Readonly<Record<string, string | undefined>>,
  fromSource: readonly string[] = [],
): Record<string, string> {
  const hidden = new Set(fromSource);
  const out: Record<string, string> = {
    NODE_VERSION: process.version,
    CPU_COUNT: String(availableParallelism()),
  };
  for (const name of RUNTIME_VARIABLES) {
    const value = env[name];
    if (value) out[name] = value;
  }
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('MCD_') || !value || SECRET_NAME.test(name) || hidden.has(name)) continue;
    out[name] = name === 'MCD_ADDITIONAL_ENV_VARS' ? redactAdditionalEnvVars(value) : redactSetting(value);
  }
  return out;
}

function redactAdditionalEnvVars(json: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return '<invalid: expected a JSON object>';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return '<invalid: expected a JSON object>';
  const shown = Object.entries(parsed).map(([name, value]) => [
    name,
    SECRET_NAME.test(name) ? REDACTED : typeof value === 'string' ? redactSetting(value) : redact(value),
  ]);
  return JSON.stringify(Object.fromEntries(shown));
}
