import type * as z from 'zod/mini';
import { BadRequestError, OperationError } from '../errors/agent-errors';
import { describeIssue } from '../errors/zod-issue';

/**
 * zod at the boundary, with a 400 that names the offending field path, e.g.
 * "Invalid request: operation.commands.0.method: expected string, received number".
 */
export function validate<T extends z.ZodMiniType>(schema: T, value: unknown, what = 'request'): z.output<T> {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return parsed.data;
  throw new BadRequestError(`Invalid ${what}: ${describeIssues(parsed.error.issues)}`);
}

/**
 * The same check for an argument of a command: the request itself was fine, so a bad argument is the operation's
 * failure, an HTTP 200 error envelope ("Invalid metadata: owner: expected string, received number").
 */
export function validateArgument<T extends z.ZodMiniType>(schema: T, value: unknown, name: string): z.output<T> {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return parsed.data;
  throw new OperationError(`Invalid ${name}: ${describeIssues(parsed.error.issues)}`);
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const details = issues.slice(0, 3).map((issue) => {
    const path = issue.path.map(String).join('.');
    const message = describeIssue(issue);
    if (!path) return message;
    return message === 'is required' ? `${path} is required` : `${path}: ${message}`;
  });
  return details.join('; ');
}
