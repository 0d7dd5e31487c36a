import type * as z from 'zod/mini';

/**
 * A readable message for a zod issue. zod/mini ships no locale (its default text is "Invalid input"), and the input
 * itself is never echoed: it may be a secret.
 */
export function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.message && issue.message !== 'Invalid input') return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return 'input' in issue && issue.input !== undefined
        ? `expected ${issue.expected}, received ${kindOf(issue.input)}`
        : 'is required';
    case 'invalid_value':
      return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'invalid_key': {
      // A record's key failed its own schema: say why, in that schema's words.
      const inner = issue.issues[0];
      return inner ? describeIssue(inner) : 'invalid key';
    }
    case 'unrecognized_keys':
      return `unexpected keys ${issue.keys.join(', ')}`;
    case 'invalid_union': {
      if (!('input' in issue) || issue.input === undefined) return 'is required';
      const expected = issue.errors.flatMap((branch) =>
        branch.flatMap((inner) => (inner.code === 'invalid_type' && inner.path.length === 0 ? [inner.expected] : [])),
      );
      return expected.length > 0 ? `expected ${expected.join(' or ')}` : 'does not match any accepted form';
    }
    default:
      return issue.code ? issue.code.replaceAll('_', ' ') : 'invalid value';
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
