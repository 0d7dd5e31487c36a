import type { ResultStream, SqlDriver } from '../db-api/sql-driver';
import { parseExactJson } from '../shared/exact-json';
import { PagedResultStream, type PageSource, type StatementPage } from './paged-result';
import type { StatementEndpoint } from './statement-endpoint';
import { StatementHttpError } from './trino-errors';

type TrinoModule = typeof import('trino-client');
type Trino = import('trino-client').Trino;
type QueryIterator = Awaited<ReturnType<Trino['query']>>;

/**
 * Trino and Starburst through `trino-client` (the Trino project's client: `X-Trino-*` headers, Basic auth, the
 * session headers it tracks). Its axios configuration is private, so after creating the client we replace its
 * transport settings there: the guarded agents (every socket, `nextUri` hosts and IP literals included, goes to an
 * address the SSRF guard checked), no proxy from the environment, no redirects, the request timeout, and a JSON
 * parse that keeps bigints exact. A trino-client without that configuration fails client creation loudly rather than
 * run unguarded.
 */
export async function connectTrino(endpoint: StatementEndpoint): Promise<SqlDriver> {
  const { Trino, BasicAuth } = (await import('trino-client')) as TrinoModule;
  const trino = Trino.create({
    server: endpoint.server,
    catalog: endpoint.catalog,
    schema: endpoint.schema,
    source: endpoint.source,
    session: endpoint.session,
    extraHeaders: { ...endpoint.headers },
    ...(endpoint.user !== undefined ? { auth: new BasicAuth(endpoint.user, endpoint.password) } : {}),
  });
  guardTransport(trino, endpoint);
  return new TrinoDriver(trino);
}

function guardTransport(trino: Trino, endpoint: StatementEndpoint): void {
  const config = (trino as unknown as { client?: { clientConfig?: Record<string, unknown> } }).client?.clientConfig;
  if (!config || typeof config !== 'object' || !('baseURL' in config)) {
    throw new Error('trino-client has no axios configuration where Artemis expects it: refusing an unguarded client');
  }
  Object.assign(config, {
    httpAgent: endpoint.agents.http,
    httpsAgent: endpoint.agents.https,
    proxy: false,
    maxRedirects: 0,
    timeout: endpoint.requestTimeoutMs,
    responseType: 'text',
    transformResponse: [parseJsonBody],
  });
  // Without a user of its own, trino-client sends the process's $USER; Apollo's clients send the connection's.
  const headers = config.headers as Record<string, unknown> | undefined;
  if (headers && endpoint.user === undefined) delete headers['X-Trino-User'];
}

/** A statement answer is JSON; an error status may carry plain text (401 Unauthorized), kept as it is. */
function parseJsonBody(data: unknown): unknown {
  if (typeof data !== 'string' || !/^\s*[[{]/.test(data)) return data;
  return parseExactJson(data);
}

class TrinoDriver implements SqlDriver {
  readonly placeholderStyle = 'trino' as const;
  readonly #trino: Trino;
  readonly #running = new Set<string>();

  constructor(trino: Trino) {
    this.#trino = trino;
  }

  async execute(sql: string): Promise<ResultStream> {
    const iterator = await this.#trino.query(sql).catch(rethrowHttp);
    return PagedResultStream.open('Trino', new TrinoPages(this.#trino, iterator, this.#running));
  }

  // Trino runs every statement in autocommit mode, as trino-python's default isolation level does.
  async commit(): Promise<void> {}
  async rollback(): Promise<void> {}

  async cancel(): Promise<void> {
    await Promise.allSettled([...this.#running].map((id) => this.#trino.cancel(id)));
  }

  async close(): Promise<void> {
    await this.cancel();
  }
}

/** trino-client's iterator as pages: it skips pages without data and repeats the last page when done. */
class TrinoPages implements PageSource {
  readonly #trino: Trino;
  readonly #iterator: QueryIterator;
  readonly #running: Set<string>;
  #last: StatementPage | undefined;
  #id: string | undefined;
  #done = false;

  constructor(trino: Trino, iterator: QueryIterator, running: Set<string>) {
    this.#trino = trino;
    this.#iterator = iterator;
    this.#running = running;
  }

  async next(): Promise<StatementPage | undefined> {
    if (this.#done) return undefined;
    const { value, done } = await this.#iterator.next().catch((error: unknown) => {
      this.#finish();
      return rethrowHttp(error);
    });
    const page = value as StatementPage;
    if (page?.id && !this.#id) {
      this.#id = page.id;
      this.#running.add(page.id);
    }
    if (done) {
      this.#finish();
      // The final answer is handed once more with done=true; it is new only when the statement had one page.
      return page && page !== this.#last ? page : undefined;
    }
    this.#last = page;
    if (page?.error) this.#finish();
    return page;
  }

  async cancel(): Promise<void> {
    if (this.#done) return;
    const id = this.#id;
    this.#finish();
    if (id) await this.#trino.cancel(id);
  }

  #finish(): void {
    this.#done = true;
    if (this.#id) this.#running.delete(this.#id);
  }
}

/** An answer that is not a statement page (401, 503, a timeout) as an error naming the status, without the request. */
function rethrowHttp(error: unknown): never {
  const response = (error as { response?: { status?: number; data?: unknown } } | null)?.response;
  if (response && typeof response.status === 'number') {
    const body = typeof response.data === 'string' ? response.data : JSON.stringify(response.data ?? '');
    throw new StatementHttpError(response.status, body);
  }
  const message = (error as Error | null)?.message ?? String(error);
  throw new StatementHttpError(undefined, message);
}
