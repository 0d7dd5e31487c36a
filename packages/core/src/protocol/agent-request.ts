/**
 * The platform-neutral request every adapter builds: plain data, no Web `Request` (SPEC §11: Fetch objects cost
 * ~20 µs per invoke and ~21 ms of cold start on Node 20).
 */
export interface AgentRequest {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The raw path without the query string, percent-encoded as received. */
  readonly path: string;
  /** Query parameters; a key that appears more than once holds every value in order. */
  readonly query: Readonly<Record<string, string | readonly string[]>>;
  /** Header names in lower case; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  /** The body bytes exactly as received (never decoded to a string by an adapter). */
  readonly body: Buffer;
}

/** First value of a query parameter, whether it was sent once or several times. */
export function firstQueryValue(query: AgentRequest['query'], name: string): string | undefined {
  const value = query[name];
  return typeof value === 'string' ? value : value?.[0];
}

/** The query as adapters build it: one string per key, or every value in order when the key is repeated. */
export type QueryValues = Record<string, string | string[]>;

/**
 * Adds one occurrence of `key` to a query being built, keeping repeats in order (AgentRequest's rule). Every adapter
 * parses its platform's query with this, so a repeated key means the same thing on every runtime.
 */
export function appendQueryValue(query: QueryValues, key: string, value: string): void {
  const existing = query[key];
  if (existing === undefined) query[key] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else query[key] = [existing, value];
}
