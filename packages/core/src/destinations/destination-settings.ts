import { BadRequestError } from '../errors/agent-errors';
import type { DestinationModule, Settings } from './destination-module';

/**
 * A payload's `settings` as the destination takes them: checked by its `settingsSchema` (any Standard Schema) when it
 * has one, at submission and again by each run. A 400 names the offending fields, never their values.
 */
export async function settingsFor(destination: DestinationModule, settings: Settings): Promise<Settings> {
  const schema = destination.settingsSchema;
  if (!schema) return settings;
  const result = await schema['~standard'].validate(settings);
  if (!result.issues) return (result.value ?? {}) as Settings;
  const details = result.issues.slice(0, 3).map((issue) => {
    const path = (issue.path ?? []).map((part) => String(typeof part === 'object' ? part.key : part)).join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  throw new BadRequestError(`Invalid settings: ${details.join('; ')}`);
}
