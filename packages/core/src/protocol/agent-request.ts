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
