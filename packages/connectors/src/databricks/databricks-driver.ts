import { AgentError, type ConnectorContext, databricksTokenSource, readConfinedFile } from '@artemis/core';
import type { ResultStream, SqlDriver, StatementOptions } from '../db-api/sql-driver';
import type { DatabricksConnectArgs } from './databricks-credentials';
import { RequestError, ServerOperationError } from './databricks-errors';
import { arrowPages, columnPages, DatabricksResultStream, type PageSource } from './databricks-results';
import { resultColumns, type ThriftColumnDesc } from './databricks-values';
import { createGuardedDbsqlClient, type GuardedDbsqlClient } from './guarded-dbsql-client';

type DatabricksModule = typeof import('@databricks/sql');
type DBSQLClient = InstanceType<DatabricksModule['DBSQLClient']>;
type Session = Awaited<ReturnType<DBSQLClient['openSession']>>;
type Operation = Awaited<ReturnType<Session['executeStatement']>>;
type ResultHandler = new (
  context: DBSQLClient,
  source: unknown,
  metadata: unknown,
  statementId?: string,
) => { hasMore(): Promise<boolean>; fetchNext(options: { limit: number }): Promise<{ batches: Buffer[] }> };

/** DBSQLOperation's Thrift accessor (its typings declare the backend-neutral IOperation). */
interface ThriftMetadata {
  readonly schema?: { readonly columns: readonly unknown[] } | null;
  readonly resultFormat?: number;
}
interface ThriftOperation {
  getMetadata(): Promise<ThriftMetadata>;
}

/** TSparkRowSetType: how the server sends the rows of a result. */
const ARROW_BASED_SET = 0;
const COLUMN_BASED_SET = 1;
const URL_BASED_SET = 3;
/** The bound on each token request the connection makes. */
const TOKEN_TIMEOUT_MS = 30_000;

/**
 * A Databricks SQL warehouse through `@databricks/sql`, the official driver (Thrift over HTTPS), every request through
 * the SSRF guard (`createGuardedDbsqlClient`). The driver runs the session and the operations (execute, poll, cancel,
 * close, retries); the rows are read here, by position and exactly, from the pages the driver fetches: its own row
 * conversion keys rows by column name (a `SELECT a.id, b.id` would lose one) and rounds large DECIMALs. The session
 * gets `STATEMENT_TIMEOUT` = the operation timeout unless `session_configuration` sets one, so the warehouse stops a
 * statement even if the agent is gone.
 */
export async function connectDatabricks(args: DatabricksConnectArgs, context: ConnectorContext): Promise<SqlDriver> {
  const sql = cjs<DatabricksModule>(await import('@databricks/sql'));
  const { RecordBatchReader } = cjs<typeof import('./arrow.cjs')>(await import('./arrow.cjs'));
  // The driver's own page readers (inline Arrow batches with LZ4, cloud-fetch downloads with retries and expiry).
  const ArrowResultHandler = cjsDefault<ResultHandler>(
    await import('@databricks/sql/dist/result/ArrowResultHandler.js'),
  );
  const CloudFetchResultHandler = cjsDefault<ResultHandler>(
    await import('@databricks/sql/dist/result/CloudFetchResultHandler.js'),
  );
  const { host, port } = warehouseAddress(args);
  const ca = args._tls_trusted_ca_file
    ? await readConfinedFile(args._tls_trusted_ca_file, {
        roots: [context.config.tempFolder],
        subject: '_tls_trusted_ca_file',
        setting: 'MCD_TEMP_FOLDER',
      })
    : undefined;
  const rejectUnauthorized = args._tls_no_verify !== true;
  const guarded = createGuardedDbsqlClient(sql, context, {
    ca,
    rejectUnauthorized,
    socketTimeoutMs: (args._socket_timeout ?? 900) * 1000,
  });
  const { client } = guarded;
  try {
    await client
      .connect({
        host,
        port,
        path: args.http_path,
        authType: 'custom',
        provider: authentication(args, context, { ca, rejectUnauthorized }),
        ...(args._user_agent_entry ? { userAgentEntry: args._user_agent_entry } : {}),
        socketTimeout: (args._socket_timeout ?? 900) * 1000,
        ...retrySettings(args),
        preserveBigNumericPrecision: true,
        // The driver's usage telemetry goes to the workspace on its own schedule: not from a customer's agent.
        telemetryEnabled: false,
      } as Parameters<DBSQLClient['connect']>[0])
      .catch(driverError(guarded));
    await guarded.assertGuarded();
    const configuration: Record<string, string> = { STATEMENT_TIMEOUT: String(context.config.operationTimeoutSeconds) };
    for (const [key, value] of Object.entries(args.session_configuration ?? {})) {
      if (key.toUpperCase() === 'STATEMENT_TIMEOUT') delete configuration.STATEMENT_TIMEOUT;
      configuration[key] = String(value);
    }
    const session = await client
      .openSession({
        ...(args.catalog ? { initialCatalog: args.catalog } : {}),
        ...(args.schema ? { initialSchema: args.schema } : {}),
        configuration,
      })
      .catch(driverError(guarded));
    return new DatabricksDriver(client, session, guarded, {
      reader: RecordBatchReader,
      arrow: ArrowResultHandler,
      cloudFetch: CloudFetchResultHandler,
      nativeComplex: args._use_arrow_native_complex_types === true,
    });
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
}

interface Readers {
  readonly reader: typeof import('./arrow.cjs').RecordBatchReader;
  readonly arrow: ResultHandler;
  readonly cloudFetch: ResultHandler;
  readonly nativeComplex: boolean;
}

class DatabricksDriver implements SqlDriver {
  readonly placeholderStyle = 'databricks' as const;
  readonly #client: DBSQLClient;
  readonly #session: Session;
  readonly #guarded: GuardedDbsqlClient;
  readonly #readers: Readers;
  readonly #running = new Set<Operation>();

  constructor(client: DBSQLClient, session: Session, guarded: GuardedDbsqlClient, readers: Readers) {
    this.#client = client;
    this.#session = session;
    this.#guarded = guarded;
    this.#readers = readers;
  }

  async execute(sql: string, values: unknown[], options?: StatementOptions): Promise<ResultStream> {
    const rethrow = driverError(this.#guarded);
    const operation = await this.#session
      .executeStatement(sql, {
        ...(values.length > 0 ? { ordinalParameters: values.map(parameterValue) as never[] } : {}),
        ...(options?.timeoutSeconds ? { queryTimeout: Math.ceil(options.timeoutSeconds) } : {}),
      })
      .catch(rethrow);
    this.#running.add(operation);
    const close = async () => {
      this.#running.delete(operation);
      // The statement's rows are read (or dropped); a failed close only leaves the server to expire it.
      await operation.close().catch(() => undefined);
    };
    try {
      await operation.finished().catch(rethrow);
      const status = await operation.status().catch(rethrow);
      const affected = status.numModifiedRows === undefined ? -1 : Number(status.numModifiedRows);
      if (!status.hasResultSet) {
        await close();
        return new DatabricksResultStream(null, undefined, affected, async () => undefined);
      }
      const metadata = await (operation as unknown as ThriftOperation).getMetadata().catch(rethrow);
      const columns = resultColumns((metadata.schema?.columns ?? []) as unknown as ThriftColumnDesc[]);
      const pages = this.#pages(operation, metadata, columns);
      return new DatabricksResultStream(columns, guardedPages(pages, rethrow), affected, close);
    } catch (error) {
      await close();
      throw error;
    }
  }

  #pages(operation: Operation, metadata: ThriftMetadata, columns: ReturnType<typeof resultColumns>): PageSource {
    const { reader, arrow, cloudFetch, nativeComplex } = this.#readers;
    // The driver's row-set provider: FetchResults pages, after the rows the server sent with its first answer.
    const rowSets = (operation as unknown as { _data?: unknown })._data as Parameters<typeof columnPages>[0];
    if (!rowSets) throw new Error('@databricks/sql operation has no row-set provider where Artemis expects it');
    switch (metadata.resultFormat) {
      case COLUMN_BASED_SET:
        return columnPages(rowSets, columns, nativeComplex);
      case ARROW_BASED_SET:
        return arrowPages(new arrow(this.#client, rowSets, metadata), reader, columns, nativeComplex);
      case URL_BASED_SET:
        return arrowPages(
          new cloudFetch(this.#client, rowSets, metadata, operation.id),
          reader,
          columns,
          nativeComplex,
        );
      default:
        throw new Error(`Unsupported result format: ${String(metadata.resultFormat)}`);
    }
  }

  // A SQL warehouse runs every statement in autocommit mode; databricks-sql-connector's commit() does nothing.
  async commit(): Promise<void> {}
  async rollback(): Promise<void> {}

  async cancel(): Promise<void> {
    await Promise.allSettled([...this.#running].map((operation) => operation.cancel()));
  }

  async close(): Promise<void> {
    await this.#session.close().catch(() => undefined);
    await this.#client.close().catch(() => undefined);
  }
}

/** Page reads rethrow driver errors as the facade reports them. */
function guardedPages(pages: PageSource, rethrow: (error: unknown) => never): PageSource {
  return {
    hasMore: () => pages.hasMore().catch(rethrow),
    next: (limit) => pages.next(limit).catch(rethrow),
  };
}

/**
 * `server_hostname` as Python takes it (a host name; `_port`, default 443, beside it). A host written as an https URL
 * or with a port is read too; plain http is refused: the driver speaks HTTPS only, as the warehouse does.
 */
function warehouseAddress(args: DatabricksConnectArgs): { host: string; port: number } {
  const written = args.server_hostname.trim();
  const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(written) ? written : `https://${written}`);
  if (url.protocol !== 'https:') {
    throw new ValueError(`server_hostname must be a host name reached over HTTPS, got: ${url.protocol}//…`);
  }
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(args._port ?? (url.port || 443)) };
}

/**
 * The connection's credentials: a personal access token, or a service principal's OAuth credentials whose tokens are
 * fetched through the SSRF guard (with the connection's TLS trust for the workspace host) and refreshed before they
 * expire. The driver asks for the headers before each request.
 */
function authentication(
  args: DatabricksConnectArgs,
  context: ConnectorContext,
  tls: { ca: string | undefined; rejectUnauthorized: boolean },
) {
  if (args.access_token) {
    const headers = { Authorization: `Bearer ${args.access_token}` };
    return { authenticate: async () => headers };
  }
  const oauth = args.credentials_provider;
  if (!oauth) {
    // Without either, databricks-sql-connector would start a browser login and wait (Apollo refuses too).
    throw new ValueError("Databricks agent client requires 'access_token' or 'credentials_provider' in connect_args");
  }
  const { host, port } = warehouseAddress(args);
  // The OAuth endpoints live on the workspace host, reached at the connection's port.
  const workspace = new URL(oauth.workspace_url ?? `https://${host.includes(':') ? `[${host}]` : host}`);
  if (!workspace.port && workspace.hostname.replace(/^\[|\]$/g, '') === host) workspace.port = String(port);
  const source = databricksTokenSource(
    context.network,
    {
      workspace_url: workspace.origin,
      client_id: oauth.client_id,
      client_secret: oauth.client_secret,
      azure_tenant_id: oauth.azure_tenant_id ?? null,
      azure_workspace_resource_id: oauth.azure_workspace_resource_id ?? null,
      azure_login_endpoint: oauth.azure_login_endpoint ?? null,
    },
    {
      timeoutMs: Math.min(TOKEN_TIMEOUT_MS, context.config.operationTimeoutSeconds * 1000),
      workspaceTls: { ...(tls.ca !== undefined ? { ca: tls.ca } : {}), rejectUnauthorized: tls.rejectUnauthorized },
    },
  );
  return {
    authenticate: () =>
      source.headers().catch((error: unknown) => {
        if (error instanceof AgentError) throw error;
        throw new RequestError(`OAuth token request failed: ${(error as Error).message}`, null, error);
      }),
  };
}

/** Python's `_retry_*` settings (seconds, attempts) as the driver's retry options (milliseconds, attempts). */
function retrySettings(args: DatabricksConnectArgs) {
  return {
    ...(args._retry_delay_min != null ? { retryDelayMin: args._retry_delay_min * 1000 } : {}),
    ...(args._retry_delay_max != null ? { retryDelayMax: args._retry_delay_max * 1000 } : {}),
    ...(args._retry_stop_after_attempts_count != null
      ? { retryMaxAttempts: Number(args._retry_stop_after_attempts_count) }
      : {}),
    ...(args._retry_stop_after_attempts_duration != null
      ? { retriesTimeout: args._retry_stop_after_attempts_duration * 1000 }
      : {}),
  };
}

/** A parameter as the driver binds it (native parameters, typed from the value); bytes as their hex text. */
function parameterValue(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return value;
}

/**
 * The driver's errors as the facade reports them: the guard's refusal as `Forbidden`; a statement the server failed
 * (an operation in ERROR/CANCELED/TIMEDOUT state, or a call answered with an error status) as
 * `ServerOperationError`; a request without a Thrift answer (HTTP error status, retries exhausted, no connection) as
 * `RequestError`.
 */
function driverError(guarded: GuardedDbsqlClient): (error: unknown) => never {
  return (error) => {
    const refusal = guarded.refusalOf(error) ?? guarded.refusalOf((error as { payload?: unknown } | null)?.payload);
    if (refusal) throw refusal;
    if (error instanceof AgentError || error instanceof RequestError || error instanceof ValueError) throw error;
    const failure = (error ?? {}) as {
      name?: unknown;
      message?: unknown;
      errorCode?: unknown;
      response?: { status?: unknown } & Record<string, unknown>;
      statusCode?: unknown;
      payload?: { response?: { status?: unknown } } | Error;
    };
    const message = typeof failure.message === 'string' ? failure.message : String(error);
    if (failure.response && 'operationState' in failure.response) {
      // OperationStateError: the operation's final status, as the server described it.
      throw new ServerOperationError(failure.response as Record<string, string>, {
        canceled: failure.errorCode === 'CANCELED' || failure.errorCode === 'TIMEOUT',
        fallback: message,
      });
    }
    if (failure.name === 'Status Error') {
      throw new ServerOperationError({ errorMessage: message }, { fallback: 'The statement failed' });
    }
    if (typeof failure.statusCode === 'number') throw new RequestError(message, failure.statusCode, error);
    if (
      failure.name === 'RetryError' ||
      failure.errorCode === 'ATTEMPTS_EXCEEDED' ||
      failure.errorCode === 'TIMEOUT_EXCEEDED'
    ) {
      const status = (failure.payload as { response?: { status?: unknown } } | undefined)?.response?.status;
      throw new RequestError(
        typeof status === 'number' ? `${message} (last HTTP status ${status})` : message,
        typeof status === 'number' ? status : null,
        error,
      );
    }
    if ((failure as { type?: unknown }).type === 'system' || (failure as { code?: unknown }).code !== undefined) {
      throw new RequestError(message, null, error);
    }
    throw error;
  };
}

/** Python's ValueError for connect_args the connector cannot use. */
export class ValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValueError';
  }
}

/** A CommonJS module's exports, whether the loader put them at the top level or under `default`. */
function cjs<T>(module: unknown): T {
  const namespace = module as { default?: unknown };
  return (typeof namespace.default === 'object' && namespace.default !== null ? namespace.default : module) as T;
}

/** A CommonJS module compiled from TypeScript: its `exports.default`. */
function cjsDefault<T>(module: unknown): T {
  const inner = (module as { default?: unknown }).default;
  return (typeof inner === 'function' ? inner : (inner as { default?: unknown } | undefined)?.default) as T;
}
