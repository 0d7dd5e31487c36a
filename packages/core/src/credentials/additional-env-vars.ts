type MutableEnv = Record<string, string | undefined>;

/**
 * MCD_ADDITIONAL_ENV_VARS (apollo-inventory §8.6): a JSON object of variables applied before the configuration is
 * parsed, for platforms where adding an environment variable means redeploying infrastructure. A variable already
 * set wins; booleans become "true"/"false", numbers their decimal text; objects, arrays and null are skipped.
 * Never throws: a bad value is reported in the returned notes, which name variables, never values.
 */
export function applyAdditionalEnvVars(env: MutableEnv): string[] {
  const raw = env.MCD_ADDITIONAL_ENV_VARS;
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return ['MCD_ADDITIONAL_ENV_VARS is not valid JSON; ignored'];
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return ['MCD_ADDITIONAL_ENV_VARS is not a JSON object; ignored'];
  }
  const applied: string[] = [];
  const skipped: string[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (env[name] !== undefined) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      env[name] = String(value);
      applied.push(name);
    } else {
      skipped.push(name);
    }
  }
  const notes = applied.length > 0 ? [`MCD_ADDITIONAL_ENV_VARS applied: ${applied.join(', ')}`] : [];
  if (skipped.length > 0) notes.push(`MCD_ADDITIONAL_ENV_VARS skipped non-scalar values: ${skipped.join(', ')}`);
  return notes;
}
