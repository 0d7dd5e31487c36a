import * as z from 'zod/mini';

/** A whole number given as a number or a string, as Python callers pass ports and timeouts in `connect_args`. */
export const numberLike = z.union([z.number(), z.string().check(z.regex(/^\s*\d+\s*$/, 'expected a whole number'))]);
