import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeHiveColumn } from './hive-column-encoding';
import { type FakeHandler, type LocalHttpServer, startLocalHttpServer } from './local-http-server';

export type { FakeHiveColumn, FakeHiveType } from './hive-column-encoding';

/** What a statement answers: a result (columns and rows), a failure, or nothing (a SET, a DDL statement). */
export interface FakeHiveStatement {
  readonly columns?: readonly FakeHiveColumn[];
  readonly rows?: readonly (readonly unknown[])[];
  /** `arrow` (default), `columns` (COLUMN_BASED_SET) or `cloud` (URL_BASED_SET: Arrow files behind result links). */
  readonly format?: 'arrow' | 'columns' | 'cloud';
  /** Rows per FetchResults page at most (the client's `maxRows` otherwise). */
  readonly pageSize?: number;
  /** GetOperationStatus answers RUNNING this many times first (no direct results then: the client polls). */
  readonly runningPolls?: number;
  /** The statement fails: in its operation status, or at once in the ExecuteStatement answer (`immediate`). */
  readonly error?: {
    readonly message: string;
    readonly sqlState?: string;
    readonly errorClass?: string;
    readonly immediate?: boolean;
  };
  readonly modifiedRows?: number;
}

/** One Thrift call as the server decoded it, with the HTTP request that carried it. */
export interface FakeHiveCall {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly request: Record<string, unknown>;
}

export interface FakeHiveServer2 extends LocalHttpServer {
  /** SQL text → answer; an unknown statement fails as an unresolvable one would. */
  readonly statements: Map<string, FakeHiveStatement>;
  readonly calls: FakeHiveCall[];
  /** Result-file downloads of cloud fetch: the path and headers of each GET. */
  readonly downloads: { readonly path: string; readonly headers: IncomingMessage['headers'] }[];
  /** The exact `Authorization` header the server accepts (401 otherwise); unset accepts any. */
  readonly auth: { expected?: string };
  /** The next `remaining` Thrift calls (of `method` only, when set) answer `status` (default 503) with `retryAfter`. */
  readonly throttle: { remaining: number; method?: string; status?: number; retryAfter?: string };
  /** Where result links point (default: this server), e.g. another address to prove a client checks every link. */
  readonly cloudFetchBase: { url?: string };
  /** Other HTTP routes on the same host (`METHOD /path` → handler): OAuth discovery, token endpoints, REST APIs. */
  readonly routes: Map<string, FakeHandler>;
  /** Hex ids of operations the client cancelled / closed, and of sessions it closed. */
  readonly cancelled: string[];
  readonly closedOperations: string[];
  readonly closedSessions: string[];
}

interface Operation {
  readonly id: string;
  readonly statement: FakeHiveStatement;
  /** TSparkRowSetType: 0 Arrow, 1 column-based, 3 result links. */
  readonly format: number | undefined;
  polls: number;
  offset: number;
}

const FAILED_UNKNOWN = (sql: string): FakeHiveStatement => ({
  error: {
    message: `[PARSE_SYNTAX_ERROR] The fake HiveServer2 has no answer for: ${sql}. SQLSTATE: 42601`,
    sqlState: '42601',
    errorClass: 'PARSE_SYNTAX_ERROR',
  },
});

/**
 * A HiveServer2 speaking Thrift over HTTP, as Databricks SQL warehouses and Spark Thrift servers do: the TCLIService
 * processor generated from the Thrift definitions `@databricks/sql` ships, behind a node:http(s) server, with the
 * `thrift` package's binary protocol. It answers OpenSession, ExecuteStatement (with direct results when the statement
 * is ready at once), GetOperationStatus (RUNNING → FINISHED / ERROR_STATE), GetResultSetMetadata, FetchResults (Arrow
 * batches, classic column-based rows, or cloud-fetch result links served from the same server), CancelOperation,
 * CloseOperation and CloseSession, in the shapes a warehouse sends (status structs, error details with SQLSTATE and
 * error class, protocol version SPARK_CLI_SERVICE_PROTOCOL_V8). Every call is recorded for the tests' assertions.
 */
export async function startFakeHiveServer2(tls?: {
  readonly key: string;
  readonly cert: string;
}): Promise<FakeHiveServer2> {
  // Loaded here rather than with the testkit: thrift and Arrow only for the tests that start this fake (one after
  // the other: jest's ESM loader fails on concurrent imports that share a module).
  const thrift = await import('thrift');
  const { arrowBatchBytes, arrowSchemaBytes } = await import('./hive-arrow-encoding');
  const { columnBasedRows, tableSchema } = await import('./hive-column-encoding');
  const { tcli } = await import('./tcli-service');
  const { service, types } = tcli();
  const { TOperationState, TProtocolVersion, TSparkRowSetType, TStatusCode } = types;
  const statements = new Map<string, FakeHiveStatement>();
  const calls: FakeHiveCall[] = [];
  const downloads: FakeHiveServer2['downloads'] = [];
  const auth: { expected?: string } = {};
  const throttle: FakeHiveServer2['throttle'] = { remaining: 0 };
  const cloudFetchBase: { url?: string } = {};
  const routes = new Map<string, FakeHandler>();
  const cancelled: string[] = [];
  const closedOperations: string[] = [];
  const closedSessions: string[] = [];
  const operations = new Map<string, Operation>();
  const files = new Map<string, Buffer>();
  let current: { path: string; headers: IncomingMessage['headers'] } = { path: '/', headers: {} };
  let base = '';

  const ok = { statusCode: TStatusCode.SUCCESS_STATUS };
  // Handles are UUIDs (the client prints them as such).
  const handle = () => ({ guid: Buffer.from(randomUUID().replaceAll('-', ''), 'hex'), secret: randomBytes(16) });
  const operationOf = (request: Record<string, unknown>): Operation => {
    const guid = (request.operationHandle as { operationId?: { guid?: Buffer } } | undefined)?.operationId?.guid;
    const operation = operations.get(Buffer.from(guid ?? []).toString('hex'));
    if (!operation) throw new Error('Invalid OperationHandle');
    return operation;
  };
  const statusOf = (operation: Operation) => {
    const { error, columns, modifiedRows } = operation.statement;
    if (cancelled.includes(operation.id)) return { status: ok, operationState: TOperationState.CANCELED_STATE };
    if (operation.polls > 0) return { status: ok, operationState: TOperationState.RUNNING_STATE };
    if (error) {
      return {
        status: ok,
        operationState: TOperationState.ERROR_STATE,
        sqlState: error.sqlState,
        errorCode: 0,
        errorMessage: `org.apache.hive.service.cli.HiveSQLException: Error running query: ${error.message}`,
        displayMessage: error.message,
        errorDetailsJson: JSON.stringify({
          errorClass: error.errorClass ?? null,
          sqlState: error.sqlState ?? null,
          messageParameters: {},
        }),
      };
    }
    return {
      status: ok,
      operationState: TOperationState.FINISHED_STATE,
      hasResultSet: columns !== undefined,
      ...(modifiedRows !== undefined ? { numModifiedRows: modifiedRows } : {}),
    };
  };
  const metadataOf = (operation: Operation) => {
    const { error } = operation.statement;
    // HiveServer2 has no result set to describe for a failed (or unfinished) operation.
    if (error || operation.polls > 0) {
      return {
        status: {
          statusCode: TStatusCode.ERROR_STATUS,
          errorMessage: error ? error.message : 'Expected state FINISHED, but found RUNNING',
          sqlState: error?.sqlState,
        },
      };
    }
    const columns = operation.statement.columns ?? [];
    return {
      status: ok,
      schema: tableSchema(columns),
      resultFormat: operation.format,
      lz4Compressed: false,
      isStagingOperation: false,
      ...(operation.format === TSparkRowSetType.COLUMN_BASED_SET ? {} : { arrowSchema: arrowSchemaBytes(columns) }),
    };
  };
  const pageOf = (operation: Operation, maxRows: number) => {
    const { columns = [], rows = [], pageSize } = operation.statement;
    const start = operation.offset;
    const page = rows.slice(start, start + Math.max(1, Math.min(maxRows, pageSize ?? maxRows)));
    operation.offset += page.length;
    const results: Record<string, unknown> = { startRowOffset: start, rows: [] };
    if (operation.format === TSparkRowSetType.COLUMN_BASED_SET) {
      results.columns = columnBasedRows(columns, page);
    } else if (operation.format === TSparkRowSetType.URL_BASED_SET) {
      const name = `/cloudfetch/${operation.id}/${start}`;
      // A result file is a whole Arrow IPC stream, schema included (inline batches rely on `arrowSchema`).
      const bytes = Buffer.concat([arrowSchemaBytes(columns), arrowBatchBytes(columns, page)]);
      files.set(name, bytes);
      results.resultLinks = page.length
        ? [
            {
              fileLink: `${cloudFetchBase.url ?? base}${name}`,
              expiryTime: Date.now() + 3_600_000,
              startRowOffset: start,
              rowCount: page.length,
              bytesNum: bytes.length,
              httpHeaders: { 'x-fake-storage': 'signed' },
            },
          ]
        : [];
    } else {
      results.arrowBatches = page.length ? [{ batch: arrowBatchBytes(columns, page), rowCount: page.length }] : [];
    }
    return { status: ok, hasMoreRows: operation.offset < rows.length, results };
  };

  const handler: Record<string, (request: Record<string, unknown>) => unknown> = {
    OpenSession: () => ({
      status: ok,
      serverProtocolVersion: TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8,
      sessionHandle: { sessionId: handle() },
      configuration: {},
    }),
    CloseSession: (request) => {
      const guid = (request.sessionHandle as { sessionId?: { guid?: Buffer } }).sessionId?.guid;
      closedSessions.push(Buffer.from(guid ?? []).toString('hex'));
      return { status: ok };
    },
    ExecuteStatement: (request) => {
      const sql = String(request.statement);
      const statement = statements.get(sql) ?? FAILED_UNKNOWN(sql);
      if (statement.error?.immediate) {
        return {
          status: {
            statusCode: TStatusCode.ERROR_STATUS,
            sqlState: statement.error.sqlState,
            errorCode: 0,
            errorMessage: statement.error.message,
            displayMessage: statement.error.message,
            infoMessages: ['*org.apache.hive.service.cli.HiveSQLException:fake:0:0'],
          },
        };
      }
      const operationId = handle();
      const canArrow = request.canReadArrowResult === true;
      const wanted = statement.format ?? 'arrow';
      const format = !statement.columns
        ? undefined
        : wanted === 'columns' || !canArrow
          ? TSparkRowSetType.COLUMN_BASED_SET
          : wanted === 'cloud' && request.canDownloadResult === true
            ? TSparkRowSetType.URL_BASED_SET
            : TSparkRowSetType.ARROW_BASED_SET;
      const operation: Operation = {
        id: operationId.guid.toString('hex'),
        statement,
        format,
        polls: statement.runningPolls ?? 0,
        offset: 0,
      };
      operations.set(operation.id, operation);
      const response: Record<string, unknown> = {
        status: ok,
        operationHandle: { operationId, operationType: 0, hasResultSet: statement.columns !== undefined },
      };
      const direct = request.getDirectResults as { maxRows?: { toNumber(): number } } | undefined;
      if (direct && operation.polls === 0) {
        const status = statusOf(operation);
        const results =
          statement.columns && !statement.error ? pageOf(operation, direct.maxRows?.toNumber() ?? 0) : undefined;
        response.directResults = {
          operationStatus: status,
          ...(results ? { resultSetMetadata: metadataOf(operation), resultSet: results } : {}),
          ...(results && !results.hasMoreRows ? { closeOperation: { status: ok } } : {}),
        };
      }
      return response;
    },
    GetOperationStatus: (request) => {
      const operation = operationOf(request);
      const status = statusOf(operation);
      if (operation.polls > 0) operation.polls -= 1;
      return status;
    },
    GetResultSetMetadata: (request) => metadataOf(operationOf(request)),
    FetchResults: (request) => {
      const operation = operationOf(request);
      if (request.fetchType === 1) return { status: ok, hasMoreRows: false, results: { startRowOffset: 0, rows: [] } };
      return pageOf(operation, (request.maxRows as { toNumber(): number }).toNumber());
    },
    CancelOperation: (request) => {
      cancelled.push(operationOf(request).id);
      return { status: ok };
    },
    CloseOperation: (request) => {
      closedOperations.push(operationOf(request).id);
      return { status: ok };
    },
  };
  // The generated processor calls `handler.Method(req, callback)`; each call is recorded with its HTTP request.
  const processor = new service.Processor(
    Object.fromEntries(
      Object.entries(handler).map(([method, answer]) => [
        method,
        (request: Record<string, unknown>, callback: (error: unknown, result?: unknown) => void) => {
          calls.push({ method, path: current.path, headers: current.headers, request });
          try {
            callback(null, answer(request));
          } catch (error) {
            callback(error);
          }
        },
      ]),
    ),
  );

  const server = await startLocalHttpServer(async (request, body, response) => {
    const path = request.url ?? '/';
    const route = routes.get(`${request.method} ${path.split('?')[0]}`);
    if (route) return route(request, body, response);
    if (request.method === 'GET' && files.has(path)) {
      downloads.push({ path, headers: request.headers });
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(files.get(path));
      return;
    }
    if (request.method !== 'POST') return void response.writeHead(405).end();
    if (auth.expected !== undefined && request.headers.authorization !== auth.expected) {
      response.writeHead(401, { 'content-type': 'text/html' }).end('<html><body>Unauthorized</body></html>');
      return;
    }
    const method = thriftMethodOf(body);
    if (throttle.remaining > 0 && (throttle.method === undefined || throttle.method === method)) {
      throttle.remaining -= 1;
      response
        .writeHead(throttle.status ?? 503, {
          'content-type': 'text/plain',
          ...(throttle.retryAfter ? { 'retry-after': throttle.retryAfter } : {}),
        })
        .end('Service Unavailable');
      return;
    }
    current = { path, headers: request.headers };
    respondThrift(thrift, processor, body, response);
  }, tls);
  base = server.url;
  return {
    ...server,
    statements,
    calls,
    downloads,
    auth,
    throttle,
    cloudFetchBase,
    routes,
    cancelled,
    closedOperations,
    closedSessions,
  };
}

/** Runs one Thrift message through the processor and writes its reply as the HTTP answer. */
function respondThrift(
  { TBinaryProtocol, TBufferedTransport }: typeof import('thrift'),
  processor: { process(input: unknown, output: unknown): void },
  body: Buffer,
  response: ServerResponse,
): void {
  const receive = TBufferedTransport.receiver((transport) => {
    const input = new TBinaryProtocol(transport);
    const output = new TBinaryProtocol(
      new TBufferedTransport(undefined, (reply?: Buffer) => {
        response.writeHead(200, { 'content-type': 'application/x-thrift' }).end(reply);
      }),
    );
    processor.process(input, output);
  }, 0);
  receive(body);
}

/** The method name of a strict binary-protocol message: version word, name length, name. */
function thriftMethodOf(body: Buffer): string | undefined {
  if (body.length < 8 || body.readInt32BE(0) >= 0) return undefined;
  const length = body.readInt32BE(4);
  return body.toString('utf8', 8, 8 + length);
}
