import * as z from 'zod/mini';
import { toTlsOptions } from '../shared/ssl-options';
import { authorizationHeader, type HttpConnectArgs } from './http-credentials';
import type { HttpExchange } from './http-exchange';
import { retryArgsSchema } from './retry-policy';

const optionalText = z.optional(z.nullable(z.string()));
const scalar = z.union([z.string(), z.number(), z.boolean()]);

/**
 * The keyword arguments of the http connector's methods, with Apollo's names (`http_proxy_client.py`). Unknown
 * values are refused with the argument's name rather than sent somewhere unexpected.
 */
export const requestOptionsSchema = z.object({
  url: z.string(),
  http_method: z.optional(z.nullable(z.string().check(z.regex(/^[A-Za-z]+$/, 'expected an HTTP method name')))),
  payload: z.optional(z.unknown()),
  content_type: optionalText,
  timeout: z.optional(z.nullable(z.number().check(z.positive()))),
  user_agent: optionalText,
  additional_headers: z.optional(z.nullable(z.record(z.string(), scalar))),
  params: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  verify_ssl: z.optional(z.nullable(z.boolean())),
  retry_status_code_ranges: z.optional(z.nullable(z.array(z.tuple([z.int(), z.int()])))),
  retry_args: z.optional(z.nullable(retryArgsSchema)),
  data: z.optional(z.nullable(z.union([z.string(), z.instanceof(Uint8Array), z.record(z.string(), z.unknown())]))),
  response_format: z.optional(z.nullable(z.enum(['json', 'text']))),
  key: z.optional(z.string()),
});

export type RequestOptions = z.output<typeof requestOptionsSchema>;

export interface ExchangeDefaults {
  readonly defaultMethod: string;
  readonly defaultTimeoutMs: number;
  readonly userAgent: string;
}

/** Builds the request exactly as Apollo's `do_request` did with python-requests, minus the Python. */
export function toExchange(
  options: RequestOptions,
  credentials: HttpConnectArgs,
  defaults: ExchangeDefaults,
): HttpExchange {
  const headers: Record<string, string> = {
    'User-Agent': defaults.userAgent,
    Accept: '*/*',
    'Accept-Encoding': 'gzip, deflate, br',
  };
  for (const [name, value] of Object.entries(options.additional_headers ?? {})) setHeader(headers, name, String(value));
  const auth = authorizationHeader(credentials);
  if (auth) setHeader(headers, auth[0], auth[1]);

  let body: Buffer | string | undefined;
  if (options.data != null && options.data !== '') {
    if (typeof options.data === 'string') body = options.data;
    else if (options.data instanceof Uint8Array) body = Buffer.from(options.data);
    else {
      body = formEncode(options.data);
      setHeader(headers, 'Content-Type', 'application/x-www-form-urlencoded');
    }
  } else if (isTruthy(options.payload)) {
    body = JSON.stringify(options.payload);
    setHeader(headers, 'Content-Type', 'application/json');
  }
  if (options.content_type) setHeader(headers, 'Content-Type', options.content_type);
  if (options.user_agent) setHeader(headers, 'User-Agent', options.user_agent);

  const tls = toTlsOptions(credentials.ssl_options);
  return {
    url: withQuery(options.url, options.params),
    method: (options.http_method ?? defaults.defaultMethod).toUpperCase(),
    headers,
    body,
    timeoutMs: options.timeout ? options.timeout * 1000 : defaults.defaultTimeoutMs,
    ca: tls.ca,
    // verify_ssl takes precedence over ssl_options, as in Apollo.
    rejectUnauthorized: options.verify_ssl ?? tls.rejectUnauthorized,
    authHeader: auth?.[0],
  };
}

/** Header names are case-insensitive: a later value replaces an earlier one whatever its case. */
function setHeader(headers: Record<string, string>, name: string, value: string): void {
  for (const existing of Object.keys(headers)) {
    if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
  }
  headers[name] = value;
}

/** requests' `params`: None skipped, lists repeated, booleans as Python prints them. */
function withQuery(url: string, params: Readonly<Record<string, unknown>> | null | undefined): string {
  if (!params || Object.keys(params).length === 0 || !URL.canParse(url)) return url;
  const target = new URL(url);
  for (const [name, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== null && item !== undefined) target.searchParams.append(name, pythonString(item));
    }
  }
  return target.href;
}

function formEncode(data: Readonly<Record<string, unknown>>): string {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(data)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== null && item !== undefined) form.append(name, pythonString(item));
    }
  }
  return form.toString();
}

function pythonString(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Apollo sent a JSON body only `if payload:`, so an empty dict or list sends no body at all. */
function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}
