import * as z from 'zod/mini';
import { describeIssue } from '../errors/zod-issue';
import { forEachCallValue } from './call-values';

/**
 * The execute route's body (SPEC §3). Python clients send `null` for absent optional fields, so every optional field
 * also accepts null. Unknown keys are ignored, as in Apollo.
 */

export interface Command {
  readonly target?: string | null | undefined;
  readonly method: string;
  readonly args?: readonly unknown[] | null | undefined;
  readonly kwargs?: Readonly<Record<string, unknown>> | null | undefined;
  readonly store?: string | null | undefined;
  readonly next?: Command | null | undefined;
}

const optional = <T extends z.ZodMiniType>(schema: T) => z.optional(z.nullable(schema));

/**
 * A JSON object passed through as it is. Not `z.record`: it rebuilds the object by assignment, and an own
 * `"__proto__"` key from JSON.parse would then become the new object's prototype (an injected inherited property
 * every driver would see).
 */
const jsonObject = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  { error: 'expected object' },
);

/**
 * A `{"__type__": "call"}` value anywhere in args or kwargs is a command: the same schema checks it (and, through
 * it, its `next` chain and its own call values), its issues reported under its path, e.g.
 * `operation.commands.0.args.0.next.method`. The walk is the decoder's (`forEachCallValue`), so what is checked is
 * exactly what would run.
 */
const callValuesAreCommands = z.check<unknown>((payload) => {
  forEachCallValue(payload.value, [], (call, path) => {
    const parsed = commandSchema.safeParse(call, { reportInput: true });
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      const message = describeIssue(issue);
      payload.issues.push({ code: 'custom', message, input: call, path: [...path, ...issue.path] });
    }
  });
});

export const commandSchema: z.ZodMiniType<Command> = z.object({
  target: optional(z.string()),
  method: z.string(),
  args: optional(z.array(z.unknown()).check(callValuesAreCommands)),
  kwargs: optional(jsonObject.check(callValuesAreCommands)),
  store: optional(z.string()),
  get next() {
    return optional(commandSchema);
  },
});

/** Apollo coerces numeric strings for the size fields ("10" → 10); so do we, but nothing else. */
const byteCount = z
  ._default(
    z.pipe(
      z.union([z.number(), z.string().check(z.regex(/^\d+$/, 'expected a non-negative integer'))]),
      z.transform((value) => Number(value)),
    ),
    0,
  )
  .check(z.refine((n) => Number.isSafeInteger(n) && n >= 0, 'expected a non-negative integer'));

export const operationSchema = z.object({
  trace_id: z.pipe(
    z.union([z.string(), z.number()]),
    z.transform((value) => String(value)),
  ),
  commands: z.array(commandSchema),
  skip_cache: z._default(z.nullable(z.boolean()), false),
  response_type: z._default(z.enum(['json', 'url']), 'json'),
  response_size_limit_bytes: byteCount,
  compress_response_threshold_bytes: byteCount,
  compress_response_file: z._default(z.nullable(z.boolean()), false),
});

export type Operation = z.output<typeof operationSchema>;

export const executeRequestSchema = z.object({
  credentials: z.pipe(
    z.optional(z.nullable(jsonObject)),
    z.transform((value) => value ?? {}),
  ),
  operation: operationSchema,
});

export type ExecuteRequest = z.output<typeof executeRequestSchema>;
