/** An HTTP-level call and answer, the unit the adapter conformance table and the e2e tests speak in. */
export interface HttpCall {
  readonly method: string;
  readonly path: string;
  /** Decoded keys and values; an array repeats the key. */
  readonly query?: Readonly<Record<string, string | readonly string[]>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

export interface HttpAnswer {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export type Invoke = (call: HttpCall) => Promise<HttpAnswer>;

/** `?a=1&a=2` from an HttpCall's decoded query. */
export function queryString(query: HttpCall['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    for (const item of typeof value === 'string' ? [value] : value) params.append(key, item);
  }
  return params.toString();
}
