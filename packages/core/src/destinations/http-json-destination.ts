import * as z from 'zod/mini';
import { headerMapSchema, httpUrl } from '../async/callback-options';
import type { BatchContext, DestinationModule, DestinationResponse, Settings } from './destination-module';

/*
 * `http-json` (SPEC §14): POST `{<data_key>: [records]}` to `settings.url` — the seed's AmperityAPIRunner. Success is
 * a 2xx and, when `settings.success_field` names a field of the JSON answer (a dotted path), that field equal to
 * `settings.success_value` (truthy when no value is given): the seed's mock answers `{"status": 200}` on success.
 *
 * Auth headers never come from the payload: they are the `headers` of the secret MCD_DESTINATION_CREDENTIALS names
 * for `http-json` (e.g. `{"http-json": {"self_hosted_credentials_type": "aws_secrets_manager", "aws_secret": "crm"}}`
 * with the secret `{"headers": {"Authorization": "Bearer …"}, "url_prefix": "https://api.crm.example/"}`), and they
 * are sent only to URLs under its `url_prefix`, so a payload cannot point the key at a server of its choosing.
 */

const settingsSchema = z.looseObject({
  url: httpUrl,
  data_key: z.optional(z.string().check(z.minLength(1, 'must not be empty'))),
  method: z.optional(z.enum(['POST', 'PUT', 'PATCH'])),
  success_field: z.optional(z.string().check(z.regex(/^[^.]+(\.[^.]+)*$/, 'expected a dotted path such as result.ok'))),
  success_value: z.optional(z.unknown()),
});
type HttpJsonSettings = z.output<typeof settingsSchema>;

const credentialsSchema = z.looseObject({
  headers: z.optional(headerMapSchema),
  url_prefix: z.optional(httpUrl),
});

/** A failed answer, in the shape the batch sender reads (`status`, `retryAfter`). */
class DestinationHttpError extends Error {
  readonly status: number;
  readonly retryAfter: unknown;
  readonly retryable: boolean | undefined;
  constructor(response: DestinationResponse, message: string, retryable?: boolean) {
    super(message);
    this.status = response.status;
    this.retryAfter = response.headers['retry-after'];
    this.retryable = retryable;
  }
}

export const httpJsonDestination: DestinationModule = {
  batchSize: 500,
  settingsSchema,

  prepare(context) {
    const credentials = credentialsSchema.safeParse(context.credentials);
    if (!credentials.success) {
      throw new Error(
        'the http-json secret of MCD_DESTINATION_CREDENTIALS must be {"headers": {…}, "url_prefix": "…"}',
      );
    }
    const { headers, url_prefix: prefix } = credentials.data;
    if (headers && Object.keys(headers).length > 0) {
      if (!prefix) throw new Error('the http-json secret has headers but no url_prefix they may be sent to');
      if (!isUnder((context.settings as HttpJsonSettings).url, prefix)) {
        throw new Error(`settings.url is not under the url_prefix of the http-json secret (${prefix})`);
      }
    }
  },

  send(batch, context) {
    return post(JSON.stringify(batch), context);
  },

  // Records go as the file had them: their JSON text joined into the array, no parse-and-serialize round trip.
  sendJsonText(batch, context) {
    return post(`[${batch.join(',')}]`, context);
  },
};

/**
 * Whether `url` lies under `prefix` as the request will be sent: the same origin (scheme, host, port: so neither
 * `https://api.example.evil.com` nor `https://api.example@evil.com` passes a prefix written without its slash), and a
 * path inside the prefix's path after the URL parser has resolved `..` and `%2e%2e` (a string comparison of the raw
 * text would let `/v1/../admin` through `/v1/`). A prefix path without a trailing slash is a whole segment.
 */
export function isUnder(url: string, prefix: string): boolean {
  const target = new URL(url);
  const base = new URL(prefix);
  if (target.origin !== base.origin || target.username || target.password) return false;
  const folder = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  return target.pathname === base.pathname || target.pathname.startsWith(folder);
}

/** POSTs `{"<data_key>": <records, a JSON array>}` and judges the answer. */
async function post(records: string, context: BatchContext): Promise<void> {
  const settings = context.settings as HttpJsonSettings;
  const headers = (context.credentials.headers ?? {}) as Record<string, string>;
  const response = await context.request(settings.url, {
    method: settings.method ?? 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    // Encoded once here: a string body would be measured, then encoded again, by node:http.
    body: Buffer.from(`{${JSON.stringify(settings.data_key ?? 'data')}:${records}}`),
  });
  if (response.status < 200 || response.status >= 300) {
    throw new DestinationHttpError(response, `HTTP ${response.status}${excerpt(response.body)}`);
  }
  if (settings.success_field !== undefined) checkSuccessField(response, settings);
}

function checkSuccessField(response: DestinationResponse, settings: HttpJsonSettings): void {
  const field = settings.success_field as string;
  let value: unknown;
  try {
    value = field
      .split('.')
      .reduce<unknown>(
        (node, key) => (isObject(node) ? node[key] : undefined),
        JSON.parse(response.body.toString('utf8')),
      );
  } catch {
    throw new DestinationHttpError(response, `the answer is not JSON, so it has no ${field}`, false);
  }
  const ok = 'success_value' in settings ? sameJson(value, settings.success_value) : Boolean(value);
  if (!ok) {
    throw new DestinationHttpError(
      response,
      `the answer's ${field} is ${JSON.stringify(value) ?? 'missing'}${excerpt(response.body)}`,
      false,
    );
  }
}

function isObject(value: unknown): value is Settings {
  return typeof value === 'object' && value !== null;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The start of the destination's answer, printable, for the errors list (never logged). */
function excerpt(body: Buffer): string {
  const text = body
    .subarray(0, 400)
    .toString('utf8')
    .replace(/[^\x20-\x7e]+/g, ' ')
    .trim()
    .slice(0, 200);
  return text ? `: ${text}` : '';
}
