import type * as z from 'zod/mini';
import { BadRequestError } from '../errors/agent-errors';
import { describeIssue } from '../errors/zod-issue';

/**
 * zod at the boundary, with a 400 that names the offending field path, e.g.
 * "Invalid request: operation.commands.0.method: expected string, received number".
 */
export function validate<T extends z.ZodMiniType>(schema: T, value: unknown, what = 'request'): z.output<T> {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.map(String).join('.');
    const message = describeIssue(issue);
    if (!path) return message;
    return message === 'is required' ? `${path} is required` : `${path}: ${message}`;
  });
  throw new BadRequestError(`Invalid ${what}: ${details.join('; ')}`);
}
