import type { StandardIssue, StandardSchemaV1 } from '../connectors/standard-schema';

/** Keywords whose failure is a finding of its own; the rest ("properties", "allOf", "$ref"…) only carry children. */
const MESSAGES: Readonly<Record<string, (detail: string) => string>> = {
  type: (detail) => `expected ${/Expected (.*)\.$/.exec(detail)?.[1]?.replace(/"/g, '') ?? 'another type'}`,
  required: () => 'is required',
  minimum: () => 'is out of range',
  maximum: () => 'is out of range',
  exclusiveMinimum: () => 'is out of range',
  exclusiveMaximum: () => 'is out of range',
  multipleOf: () => 'is not an allowed multiple',
  minLength: () => 'is too short',
  maxLength: () => 'is too long',
  pattern: () => 'does not match the expected pattern',
  format: (detail) => `is not a valid ${/format "(.*)"/.exec(detail)?.[1] ?? 'value'}`,
  enum: () => 'is not one of the allowed values',
  const: () => 'is not the allowed value',
  minItems: () => 'has too few items',
  maxItems: () => 'has too many items',
  uniqueItems: () => 'has duplicate items',
  minProperties: () => 'has too few properties',
  maxProperties: () => 'has too many properties',
  anyOf: () => 'matches none of the allowed shapes',
  oneOf: () => 'does not match exactly one allowed shape',
  not: () => 'matches a shape that is not allowed',
  false: () => 'is not allowed',
};

/**
 * A plugin manifest's `credentials_schema` (JSON Schema, drafts 4 to 2020-12) as a Standard Schema, so the
 * self-hosted validate route checks it like any other. @cfworker/json-schema interprets the schema (no code
 * generation, no `eval`); its messages are rewritten from the keyword because some quote the instance, and the
 * instance here is a secret.
 */
export function jsonSchemaStandard(schema: Record<string, unknown>): StandardSchemaV1 {
  return {
    '~standard': {
      version: 1,
      vendor: 'json-schema',
      validate: async (value: unknown) => {
        const { Validator } = await import('@cfworker/json-schema');
        const result = new Validator(schema as never, '2020-12', false).validate(value);
        if (result.valid) return { value };
        const issues: StandardIssue[] = [];
        for (const error of result.errors) {
          const message = MESSAGES[error.keyword];
          if (!message) continue;
          const path = error.instanceLocation
            .replace(/^#\/?/, '')
            .split('/')
            .filter(Boolean)
            .map((part) => decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~'));
          const missing = error.keyword === 'required' ? /property "(.*)"\.$/.exec(error.error)?.[1] : undefined;
          issues.push({ message: message(error.error), path: missing ? [...path, missing] : path });
        }
        return { issues: issues.length > 0 ? issues : [{ message: 'does not match the schema', path: [] }] };
      },
    },
  } as StandardSchemaV1;
}
