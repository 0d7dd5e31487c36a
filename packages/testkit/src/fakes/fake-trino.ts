import type { IncomingMessage, ServerResponse } from 'node:http';
import { type LocalHttpServer, startLocalHttpServer } from './local-http-server';

/** A column as the coordinator describes it (`columns[]` of a statement answer). */
export interface FakeTrinoColumn {
  readonly name: string;
  readonly type: string;
}

/** What a statement answers: rows in pages, a failure, or an update count for statements without columns. */
export interface FakeStatement {
  readonly columns?: readonly FakeTrinoColumn[];
  /** Rows as JSON values; bigints are written as bare JSON numbers with every digit. */
  readonly rows?: readonly (readonly unknown[])[];
  readonly pageSize?: number;
  readonly error?: {
    readonly message: string;
    readonly errorName: string;
    readonly errorType: string;
    readonly errorCode: number;
  };
  readonly updateType?: string;
  readonly updateCount?: number;
  /** Pages answered `QUEUED`/`RUNNING` without data before the first data page (a long-polling coordinator). */
  readonly queuedPolls?: number;
}

export interface FakeTrinoRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface FakeTrino extends LocalHttpServer {
  /** SQL text → answer; an unknown statement fails with SYNTAX_ERROR, as a coordinator would. */
  readonly statements: Map<string, FakeStatement>;
  readonly requests: FakeTrinoRequest[];
  /** Query ids a client cancelled (DELETE on the query or its nextUri). */
  readonly cancelled: string[];
  /** The next N requests answer 503 (a coordinator starting or shedding load). */
  readonly throttle: { remaining: number };
  /** Basic credentials the fake accepts (`user:password`); unset accepts any. */
  readonly basicAuth: { expected?: string };
  /** Where `nextUri` points (default: this server), e.g. another address to prove a client checks every hop. */
  readonly nextUriBase: { url?: string };
  /** Other routes (a REST API beside the statement protocol): path → JSON answer. */
  readonly routes: Map<string, unknown>;
}

/**
 * An HTTP-level fake of the Trino (and PrestoDB) client protocol, `POST /v1/statement` then `GET nextUri` until the
 * answer has no `nextUri`, with the shapes a coordinator sends: query ids, `stats.state` moving QUEUED → RUNNING →
 * FINISHED, `columns` with type signatures on the first data page, `data` in pages, `error` objects with
 * errorName/errorType/errorCode, `DELETE` to cancel. `X-Trino-*` and `X-Presto-*` headers are both accepted (and
 * recorded for the tests to check which one a client sent).
 */
export async function startFakeTrino(tls?: { readonly key: string; readonly cert: string }): Promise<FakeTrino> {
  const statements = new Map<string, FakeStatement>();
  const requests: FakeTrinoRequest[] = [];
  const cancelled: string[] = [];
  const throttle = { remaining: 0 };
  const basicAuth: { expected?: string } = {};
  const nextUriBase: { url?: string } = {};
  const routes = new Map<string, unknown>();
  const queries = new Map<string, { statement: FakeStatement; sql: string }>();
  let sequence = 0;
  let base = '';
  const server = await startLocalHttpServer((request, body, response) => {
    const path = request.url ?? '/';
    requests.push({ method: request.method ?? '', path, headers: request.headers, body: body.toString('utf8') });
    if (throttle.remaining > 0) {
      throttle.remaining -= 1;
      response.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
      return;
    }
    if (basicAuth.expected !== undefined) {
      const given = /^Basic (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
      if (!given || Buffer.from(given, 'base64').toString('utf8') !== basicAuth.expected) {
        response.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="Trino"' });
        response.end('Unauthorized');
        return;
      }
    }
    const cancel = /^\/v1\/(?:query|statement\/(?:queued|executing))\/([^/]+)/.exec(path);
    if (request.method === 'DELETE' && cancel?.[1]) {
      cancelled.push(cancel[1]);
      queries.delete(cancel[1]);
      response.writeHead(204).end();
      return;
    }
    if (request.method === 'POST' && path === '/v1/statement') {
      sequence += 1;
      const id = `20240102_030405_${String(sequence).padStart(5, '0')}_fake0`;
      const sql = body.toString('utf8');
      queries.set(id, { sql, statement: statements.get(sql) ?? syntaxError(sql) });
      return sendPage(response, {
        id,
        infoUri: `${base}/ui/query.html?${id}`,
        nextUri: `${nextUriBase.url ?? base}/v1/statement/queued/${id}/y1/0`,
        stats: stats('QUEUED'),
        warnings: [],
      });
    }
    const page = /^\/v1\/statement\/(?:queued|executing)\/([^/]+)\/[^/]+\/(\d+)$/.exec(path);
    if (request.method === 'GET' && page?.[1] && page[2]) {
      const query = queries.get(page[1]);
      if (!query) return sendPage(response, { error: 'Query not found' }, 410);
      return sendPage(response, answer(page[1], Number(page[2]), query.statement, nextUriBase.url ?? base));
    }
    const route = routes.get(path.split('?')[0] ?? path);
    if (route !== undefined) return sendPage(response, route);
    response.writeHead(404, { 'content-type': 'text/plain' }).end(`No route ${request.method} ${path}`);
  }, tls);
  base = server.url;
  return { ...server, statements, requests, cancelled, throttle, basicAuth, nextUriBase, routes };
}

function answer(id: string, index: number, statement: FakeStatement, base: string): Record<string, unknown> {
  const common = { id, infoUri: `${base}/ui/query.html?${id}`, warnings: [] };
  const queued = statement.queuedPolls ?? 0;
  const next = (n: number) => `${base}/v1/statement/executing/${id}/y${n}/${n}`;
  if (index < queued) return { ...common, nextUri: next(index + 1), stats: stats('QUEUED') };
  if (statement.error) {
    return {
      ...common,
      stats: stats('FAILED'),
      error: {
        ...statement.error,
        failureInfo: {
          type: 'io.trino.spi.TrinoException',
          message: statement.error.message,
          suppressed: [],
          stack: [],
        },
      },
    };
  }
  const rows = statement.rows ?? [];
  const pageSize = statement.pageSize ?? 1000;
  const pageIndex = index - queued;
  const slice = rows.slice(pageIndex * pageSize, (pageIndex + 1) * pageSize);
  const last = (pageIndex + 1) * pageSize >= rows.length;
  const columns = statement.columns?.map((column) => ({ ...column, typeSignature: typeSignature(column.type) }));
  return {
    ...common,
    ...(columns ? { columns } : {}),
    ...(slice.length > 0 ? { data: slice } : {}),
    ...(last ? {} : { nextUri: next(index + 1) }),
    ...(statement.updateType ? { updateType: statement.updateType } : {}),
    ...(statement.updateCount !== undefined && last ? { updateCount: statement.updateCount } : {}),
    stats: stats(last ? 'FINISHED' : 'RUNNING'),
  };
}

function syntaxError(sql: string): FakeStatement {
  return {
    error: {
      message: `line 1:1: mismatched input '${sql.split(/\s+/)[0] ?? ''}'. Expecting: 'SELECT', 'SHOW', <query>`,
      errorName: 'SYNTAX_ERROR',
      errorType: 'USER_ERROR',
      errorCode: 1,
    },
  };
}

function stats(state: string) {
  return {
    state,
    queued: state === 'QUEUED',
    scheduled: state !== 'QUEUED',
    nodes: 1,
    totalSplits: 0,
    processedRows: 0,
  };
}

function typeSignature(type: string) {
  const [, rawType = type, args = ''] = /^([a-z ]+?)(?:\((.*)\))?$/.exec(type) ?? [];
  return {
    rawType,
    arguments: args
      .split(',')
      .filter((arg) => arg.trim() !== '')
      .map((arg) => ({ kind: 'LONG', value: Number(arg.trim()) })),
  };
}

/** JSON with bigints as bare numbers, every digit kept, as the coordinator writes them. */
function sendPage(response: ServerResponse, value: unknown, status = 200): void {
  const text = JSON.stringify(value, (_key, item) => (typeof item === 'bigint' ? `__bigint__${item}` : item)).replace(
    /"__bigint__(-?\d+)"/g,
    '$1',
  );
  response.writeHead(status, { 'content-type': 'application/json' }).end(text);
}
