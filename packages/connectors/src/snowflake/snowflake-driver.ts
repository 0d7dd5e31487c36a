import { createPrivateKey } from 'node:crypto';
import type { Readable } from 'node:stream';
import { type ConnectorContext, guardedAgent } from '@artemis/core';
import type { ColumnDescription, ResultStream, Row, SqlDriver, StatementOptions } from '../db-api/sql-driver';
import type { SnowflakeConnectArgs } from './snowflake-credentials';
import { SnowflakeError } from './snowflake-errors';
import { describeSnowflakeColumn, type SnowflakeColumn, snowflakeRowConverter } from './snowflake-values';

type SnowflakeModule = typeof import('snowflake-sdk');
type Connection = ReturnType<SnowflakeModule['createConnection']>;
type Statement = ReturnType<Connection['execute']>;

/** Where the client talks to (the account's URL), for `execute_rest_request`. */
export interface SnowflakeSession {
  readonly driver: SqlDriver;
  readonly accessUrl: string;
  /** The live session token (snowflake-sdk's documented `serialize()`), never logged or returned. */
  sessionToken(): string | undefined;
}

let configured = false;

/**
 * Snowflake through snowflake-sdk, the official driver. Its HTTP agents come from `agentClass` (the driver's hook for
 * a custom agent): one guarded agent per scheme, so every request — login, queries, result chunks on cloud storage,
 * telemetry — connects only to addresses the SSRF guard checked. (That replaces the driver's OCSP-checking agent:
 * certificates are still verified, revocation is not looked up.) NUMBER and VARIANT values are fetched as text, so
 * nothing is rounded on the way.
 */
export async function connectSnowflake(
  args: SnowflakeConnectArgs,
  context: ConnectorContext,
): Promise<SnowflakeSession> {
  const snowflake =
    ((await import('snowflake-sdk')) as { default?: SnowflakeModule }).default ??
    ((await import('snowflake-sdk')) as SnowflakeModule);
  if (!configured) {
    // The driver would otherwise write its own log file in the working directory.
    snowflake.configure({ logLevel: 'OFF', additionalLogToConsole: false } as Parameters<
      SnowflakeModule['configure']
    >[0]);
    configured = true;
  }
  const protocol = args.protocol ?? 'https';
  const host = args.host ?? `${args.account}.snowflakecomputing.com`;
  const port = Number(args.port ?? (protocol === 'https' ? 443 : 80));
  const accessUrl = `${protocol}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const agents = {
    'http:': Object.assign(guardedAgent(context.network, { keepAlive: true }), { protocol: 'http:' }),
    'https:': Object.assign(guardedAgent(context.network, { keepAlive: true, https: true }), { protocol: 'https:' }),
  };
  const connection = snowflake.createConnection({
    account: args.account,
    accessUrl,
    ...(args.user ? { username: args.user } : {}),
    ...authentication(args),
    ...(args.warehouse ? { warehouse: args.warehouse } : {}),
    ...(args.database ? { database: args.database } : {}),
    ...(args.schema ? { schema: args.schema } : {}),
    ...(args.role ? { role: args.role } : {}),
    // snowflake-sdk accepts letters, digits, `_`, `-` and `.` only ("Monte Carlo", Apollo's partner tag, has a space).
    ...(args.application ? { application: args.application.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 50) } : {}),
    ...(args.login_timeout ? { timeout: Number(args.login_timeout) * 1000 } : {}),
    rowMode: 'array',
    fetchAsString: ['Number', 'JSON'],
    agentClass: (options: { protocol?: string }) => agents[options.protocol === 'http:' ? 'http:' : 'https:'],
  } as Parameters<SnowflakeModule['createConnection']>[0]);
  await new Promise<void>((resolve, reject) =>
    connection.connect((error) => (error ? reject(new SnowflakeError('DatabaseError', error)) : resolve())),
  );
  if (args.session_parameters && Object.keys(args.session_parameters).length > 0) {
    const driver = new SnowflakeDriver(connection);
    for (const [name, value] of Object.entries(args.session_parameters)) {
      const stream = await driver.execute(`ALTER SESSION SET ${name} = ?`, [value]);
      await stream.close();
    }
  }
  return {
    driver: new SnowflakeDriver(connection),
    accessUrl,
    sessionToken: () => {
      const config = JSON.parse(connection.serialize()) as {
        services?: { sf?: { tokenInfo?: { sessionToken?: string } } };
      };
      return config.services?.sf?.tokenInfo?.sessionToken;
    },
  };
}

function authentication(args: SnowflakeConnectArgs): Record<string, unknown> {
  if (args.private_key) {
    return { authenticator: 'SNOWFLAKE_JWT', privateKey: pemOf(args.private_key, args.private_key_passphrase) };
  }
  if (args.token && (args.authenticator ?? 'oauth').toLowerCase() === 'oauth') {
    return { authenticator: 'OAUTH', token: args.token };
  }
  return {
    password: args.password ?? '',
    ...(args.authenticator ? { authenticator: args.authenticator.toUpperCase() } : {}),
  };
}

/** snowflake-sdk takes the key as unencrypted PKCS#8 PEM; Apollo's pipeline hands DER bytes. */
function pemOf(key: NonNullable<SnowflakeConnectArgs['private_key']>, passphrase: string | null | undefined): string {
  const source =
    typeof key === 'string'
      ? { key, format: 'pem' as const, ...(passphrase ? { passphrase } : {}) }
      : key instanceof Uint8Array
        ? { key: Buffer.from(key), format: 'der' as const, type: 'pkcs8' as const }
        : { key: Buffer.from(key.__data__, 'base64'), format: 'der' as const, type: 'pkcs8' as const };
  try {
    return createPrivateKey(source).export({ type: 'pkcs8', format: 'pem' }).toString();
  } catch (error) {
    // OpenSSL's reason only: never the key.
    throw new SnowflakeError('DatabaseError', {
      message: `Failed to load the private key: ${(error as { code?: string }).code ?? 'invalid key'}`,
    });
  }
}

class SnowflakeDriver implements SqlDriver {
  readonly placeholderStyle = 'snowflake' as const;
  readonly #connection: Connection;
  readonly #running = new Set<Statement>();

  constructor(connection: Connection) {
    this.#connection = connection;
  }

  execute(sql: string, values: unknown[], options?: StatementOptions): Promise<ResultStream> {
    return new Promise((resolve, reject) => {
      const statement = this.#connection.execute({
        sqlText: sql,
        ...(values.length > 0 ? { binds: values.map(bindValue) } : {}),
        streamResult: true,
        ...(options?.timeoutSeconds
          ? { parameters: { STATEMENT_TIMEOUT_IN_SECONDS: Math.ceil(options.timeoutSeconds) } }
          : {}),
        complete: (error, executed) => {
          if (error) {
            this.#running.delete(statement);
            reject(new SnowflakeError('ProgrammingError', error));
            return;
          }
          resolve(new SnowflakeResultStream(executed, () => this.#running.delete(statement)));
        },
      } as Parameters<Connection['execute']>[0]);
      this.#running.add(statement);
    });
  }

  // Statements run in autocommit mode, as with snowflake-connector-python's default; an explicit BEGIN is ended
  // with COMMIT / ROLLBACK statements.
  async commit(): Promise<void> {
    await (await this.execute('COMMIT', [])).close();
  }

  async rollback(): Promise<void> {
    await (await this.execute('ROLLBACK', [])).close();
  }

  async cancel(): Promise<void> {
    await Promise.allSettled(
      [...this.#running].map((statement) => new Promise<void>((resolve) => statement.cancel(() => resolve()))),
    );
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#connection.destroy(() => resolve()));
  }
}

/** Binds as snowflake-sdk takes them: text, numbers, booleans, null (dates and bytes as text, bigints exact). */
function bindValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return value;
}

class SnowflakeResultStream implements ResultStream {
  readonly description: readonly ColumnDescription[] | null;
  readonly affectedRows = -1;
  readonly #rows: Readable;
  readonly #convert: (row: unknown[]) => Row;
  readonly #done: () => void;
  #exhausted = false;

  constructor(statement: Statement, done: () => void) {
    const columns = (statement.getColumns() ?? []) as unknown as SnowflakeColumn[];
    this.description = columns.map(describeSnowflakeColumn);
    this.#convert = snowflakeRowConverter(columns);
    this.#rows = statement.streamRows() as unknown as Readable;
    this.#done = done;
  }

  get exhausted(): boolean {
    return this.#exhausted;
  }

  /**
   * Takes the rows the stream has buffered synchronously (`read()`, one row a call, in object mode) and waits only
   * when it has none: the stream's async iterator cost a promise and a microtask per row, a third of the facade's
   * time on 100 000 rows with the garbage collection it caused.
   */
  async read(max: number): Promise<Row[]> {
    const rows: Row[] = [];
    const stream = this.#rows;
    while (rows.length < max && !this.#exhausted) {
      if (stream.errored) {
        this.#finish();
        throw new SnowflakeError('ProgrammingError', stream.errored);
      }
      const row = stream.read() as unknown[] | null;
      if (row !== null) {
        rows.push(this.#convert(row));
        continue;
      }
      if (stream.readableEnded) {
        this.#finish();
        break;
      }
      await this.#more();
    }
    return rows;
  }

  /** Until the stream has rows to read, has ended, or has failed (the loop in `read` then says which). */
  #more(): Promise<void> {
    const stream = this.#rows;
    return new Promise((resolve) => {
      const settle = () => {
        stream.off('readable', settle);
        stream.off('end', settle);
        stream.off('error', settle);
        resolve();
      };
      stream.on('readable', settle);
      stream.on('end', settle);
      stream.on('error', settle);
    });
  }

  async close(): Promise<void> {
    if (this.#exhausted) return;
    this.#finish();
    this.#rows.destroy();
  }

  #finish(): void {
    this.#exhausted = true;
    this.#done();
  }
}
