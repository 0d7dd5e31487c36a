import type { ResultStream, SqlDriver } from '../db-api/sql-driver';
import { parseExactJson } from '../shared/exact-json';
import { PagedResultStream, type PageSource, type StatementPage } from '../trino/paged-result';
import type { StatementEndpoint } from '../trino/statement-endpoint';
import { type StatementError, StatementFailedError, StatementHttpError } from '../trino/trino-errors';
import type { TrinoColumn } from '../trino/trino-values';
import { guardedPrestoRequest } from './presto-transport';

type PrestoModule = typeof import('presto-client');

/**
 * PrestoDB through `presto-client` (`X-Presto-*` headers, which PrestoDB reads and Trino's client does not send).
 * presto-client pushes pages to callbacks as fast as it fetches them; each statement gets its own client object
 * (they are plain configuration) whose transport waits for the reader before fetching the next page, so a large
 * result streams with a page or two in memory.
 */
export async function connectPresto(endpoint: StatementEndpoint): Promise<SqlDriver> {
  const presto = (await import('presto-client')) as PrestoModule;
  return new PrestoDriver(presto, endpoint);
}

class PrestoDriver implements SqlDriver {
  readonly placeholderStyle = 'trino' as const;
  readonly #presto: PrestoModule;
  readonly #endpoint: StatementEndpoint;
  readonly #running = new Set<PrestoStatement>();

  constructor(presto: PrestoModule, endpoint: StatementEndpoint) {
    this.#presto = presto;
    this.#endpoint = endpoint;
  }

  async execute(sql: string): Promise<ResultStream> {
    const statement = new PrestoStatement(this.#presto, this.#endpoint, sql, this.#running);
    return PagedResultStream.open('Presto', statement);
  }

  // PrestoDB runs every statement in autocommit mode, as prestodb's Python client does by default.
  async commit(): Promise<void> {}
  async rollback(): Promise<void> {}

  async cancel(): Promise<void> {
    await Promise.allSettled([...this.#running].map((statement) => statement.cancel()));
  }

  async close(): Promise<void> {
    await this.cancel();
  }
}

/** One statement's pages, fed by presto-client's callbacks and handed out one `next()` at a time. */
class PrestoStatement implements PageSource {
  readonly #running: Set<PrestoStatement>;
  readonly #pages: StatementPage[] = [];
  #columns: readonly TrinoColumn[] | undefined;
  #queryId: string | undefined;
  #finished = false;
  #failure: Error | undefined;
  #cancelled = false;
  #wake: (() => void) | undefined;
  #room: ((next: 'fetch' | 'cancel') => void) | undefined;
  /** Resolved when presto-client has called its last callback (success, failure, or the end of a cancel). */
  readonly #settled: Promise<void>;
  #settle: () => void = () => undefined;

  constructor(presto: PrestoModule, endpoint: StatementEndpoint, sql: string, running: Set<PrestoStatement>) {
    this.#running = running;
    this.#settled = new Promise((resolve) => {
      this.#settle = resolve;
    });
    const client = new presto.Client({
      host: endpoint.host,
      port: endpoint.port,
      source: endpoint.source,
      engine: 'presto',
      checkInterval: 1,
      // No overall limit of its own (60 s by default): the operation timeout bounds a statement.
      timeout: 0,
      jsonParser: { parse: parseExactJson },
      ...(endpoint.user !== undefined ? { user: endpoint.user } : {}),
      ...(endpoint.password !== undefined && endpoint.user !== undefined
        ? { basic_auth: { user: endpoint.user, password: endpoint.password } }
        : {}),
      ...(endpoint.scheme === 'https' ? { ssl: {} } : {}),
    });
    client.request = guardedPrestoRequest(client, endpoint, () => this.#waitForRoom());
    running.add(this);
    client.execute({
      query: sql,
      ...(endpoint.catalog ? { catalog: endpoint.catalog } : {}),
      ...(endpoint.schema ? { schema: endpoint.schema } : {}),
      ...(Object.keys(endpoint.session).length > 0
        ? {
            session: Object.entries(endpoint.session)
              .map(([key, value]) => `${key}=${value}`)
              .join(','),
          }
        : {}),
      cancel: () => this.#cancelled,
      state: (_error, queryId) => {
        this.#queryId ??= queryId;
      },
      columns: (_error, columns) => {
        this.#columns = columns;
      },
      data: (_error, data, columns) => {
        this.#push({ id: this.#queryId, columns: (columns as TrinoColumn[] | undefined) ?? this.#columns, data });
      },
      success: () => {
        if (this.#columns && !this.#pages.some((page) => page.columns))
          this.#push({ columns: this.#columns, data: [] });
        this.#end();
        this.#settle();
      },
      error: (error) => {
        this.#end(toError(error, this.#queryId));
        this.#settle();
      },
    });
  }

  async next(): Promise<StatementPage | undefined> {
    for (;;) {
      const page = this.#pages.shift();
      if (page) return page;
      this.#room?.('fetch');
      if (this.#failure) throw this.#failure;
      if (this.#finished) return undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  /**
   * Stops the statement on the server: a page fetch held back is turned into the DELETE of its nextUri; a fetch in
   * flight is followed by presto-client's own cancel check, which sends that DELETE.
   */
  async cancel(): Promise<void> {
    if (this.#finished) return;
    this.#cancelled = true;
    this.#end();
    await this.#settled;
  }

  /** The transport asks before each page: hold it back while two pages already wait to be read. */
  #waitForRoom(): Promise<'fetch' | 'cancel'> {
    if (this.#cancelled) return Promise.resolve('cancel');
    if (this.#pages.length < 2) return Promise.resolve('fetch');
    return new Promise((resolve) => {
      this.#room = (next) => {
        this.#room = undefined;
        resolve(next);
      };
    });
  }

  #push(page: StatementPage): void {
    if (this.#finished) return;
    this.#pages.push(page);
    this.#wake?.();
  }

  #end(failure?: Error): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#failure ??= this.#cancelled ? undefined : failure;
    this.#running.delete(this);
    this.#room?.(this.#cancelled ? 'cancel' : 'fetch');
    this.#wake?.();
  }
}

/** presto-client's error shapes: the server's error object, `{message, error, code}` of a refused request. */
function toError(error: unknown, queryId: string | undefined): Error {
  const value = error as { errorName?: unknown; error?: unknown; message?: unknown; code?: unknown } | null;
  if (value && typeof value.errorName === 'string')
    return new StatementFailedError('Presto', value as StatementError, queryId);
  const inner = value?.error as { errorName?: unknown } | undefined;
  if (inner && typeof inner.errorName === 'string')
    return new StatementFailedError('Presto', inner as StatementError, queryId);
  const code = typeof value?.code === 'number' ? value.code : undefined;
  const message = typeof value?.message === 'string' ? value.message : String(error);
  return new StatementHttpError(code, message.replace(/^execution error:?/, ''));
}
