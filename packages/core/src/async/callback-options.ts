import * as z from 'zod/mini';
import { SELF_HOSTED_TYPE_KEY } from '../credentials/is-self-hosted';

/*
 * The async-only fields of an execute body's `operation` (SPEC §8): where the final status is POSTed, and the
 * headers sent with it. `callback_headers` is either the headers themselves (`{"Authorization": "Bearer …"}`) or a
 * self-hosted credentials envelope (SPEC §9) whose fetched document is that object, so the key need not travel
 * with each request. Checked at submission, so a bad value is a 400 then, not a failed delivery later.
 */

/** Headers the agent sets itself or that would change how the request is framed. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'content-type', 'transfer-encoding', 'connection']);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

export const httpUrl = z
  .string()
  .check(
    z.refine(
      (value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol),
      'expected an absolute http or https URL',
    ),
  );

export const headerMapSchema = z.record(
  z.string().check(
    z.regex(HEADER_NAME, 'expected an HTTP header name'),
    z.refine((name) => !RESERVED_HEADERS.has(name.toLowerCase()), 'is set by the agent'),
  ),
  z.string().check(z.regex(HEADER_VALUE, 'expected a header value of printable characters')),
);

const selfHostedEnvelope = z.looseObject({ [SELF_HOSTED_TYPE_KEY]: z.string() });

export const callbackOptionsSchema = z.object({
  operation: z.looseObject({
    callback_url: z.optional(z.nullable(httpUrl)),
    callback_headers: z.optional(z.nullable(z.union([selfHostedEnvelope, headerMapSchema]))),
  }),
});

export interface CallbackOptions {
  readonly url: string;
  readonly headers: Readonly<Record<string, unknown>> | undefined;
}

/** The callback a parsed execute body asks for, if any. */
export function callbackOf(parsed: z.output<typeof callbackOptionsSchema>): CallbackOptions | undefined {
  const { callback_url: url, callback_headers: headers } = parsed.operation;
  return url ? { url, headers: headers ?? undefined } : undefined;
}
