import { availableParallelism } from 'node:os';
import { REDACTED, redact } from '../logging/redact';

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

/** An MCD_* variable whose name says it holds a secret is never shown. */
const SENSITIVE_NAME = /secret|pass|token|key|credential/i;

export function healthEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {
    NODE_VERSION: process.version,
    CPU_COUNT: String(availableParallelism()),
  };
  for (const name of RUNTIME_VARIABLES) {
    const value = env[name];
    if (value) out[name] = value;
  }
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('MCD_') || !value || SENSITIVE_NAME.test(name)) continue;
    out[name] = name === 'MCD_ADDITIONAL_ENV_VARS' ? redactAdditionalEnvVars(value) : redactJsonDocument(value);
  }
  return out;
}

/** MCD_ADDITIONAL_ENV_VARS is a JSON object of variables; show its names, hide the sensitive values. */
function redactAdditionalEnvVars(json: string): string {
  try {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    const shown = Object.entries(parsed).map(([name, value]) => [name, SENSITIVE_NAME.test(name) ? REDACTED : value]);
    return JSON.stringify(Object.fromEntries(shown));
  } catch {
    return '<invalid: expected a JSON object>';
  }
}

/**
 * A JSON object in an innocently named variable is typically a credentials document for the `env_var` self-hosted
 * source (SPEC §9): shown with its sensitive keys (password, connect_args, …) redacted, like a log record.
 */
function redactJsonDocument(value: string): string {
  if (!value.trimStart().startsWith('{')) return value;
  try {
    return JSON.stringify(redact(JSON.parse(value)));
  } catch {
    return '<invalid JSON: hidden>';
  }
}
