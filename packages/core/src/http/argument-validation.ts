import type * as z from 'zod/mini';
import { BadRequestError, OperationError } from '../errors/agent-errors';
import { validate } from './validation';

/**
 * zod for an argument of a command, in `validate`'s words ("Invalid metadata: owner: expected string, received
 * number"). The request itself was fine, so a bad argument is the operation's failure: an HTTP 200 error envelope.
 */
export function validateArgument<T extends z.ZodMiniType>(schema: T, value: unknown, name: string): z.output<T> {
  try {
    return validate(schema, value, name);
  } catch (error) {
    if (error instanceof BadRequestError) throw new OperationError(error.message, { cause: error });
    throw error;
  }
}
