import * as z from 'zod/mini';

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
 * One command: at top level, as a `next` link, and as a `{"__type__": "call"}` value anywhere in args or kwargs,
 * which `execute/operation-shape.ts` checks with this same schema (under the value's own path) in the one walk that
 * also counts them against the limits.
 */
export const commandSchema: z.ZodMiniType<Command> = z.object({
  target: optional(z.string()),
  method: z.string(),
  args: optional(z.array(z.unknown())),
  kwargs: optional(jsonObject),
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
  /** A credential pipeline for this request only (SPEC §9.1), checked before anything runs. */
  ctp_config: optional(jsonObject),
});

export type ExecuteRequest = z.output<typeof executeRequestSchema>;
