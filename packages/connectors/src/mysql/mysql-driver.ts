import type { GuardedTcpTarget, Logger } from '@artemis/core';
import type { Connection, ConnectionOptions, FieldPacket, Query, ResultSetHeader } from 'mysql2';
import type { ColumnDescription, ResultStream, Row, SqlDriver } from '../db-api/sql-driver';
import type { ResolvedMysqlConnection } from './mysql-connection-config';
import { describeColumn, mysqlTypeCast } from './mysql-values';

/** Rows buffered before the connection is paused (TCP back-pressure then holds the rest on the server side). */
const HIGH_WATER = 10_000;

const ER_UNKNOWN_SYSTEM_VARIABLE = 1193;

/** How long `close()` waits for the server to acknowledge COM_QUIT. */
const CLOSE_GRACE_MS = 2000;

type MysqlModule = typeof import('mysql2');

/**
 * MySQL and MariaDB through `mysql2`'s streaming query API: rows arrive as events and the connection is paused when
 * HIGH_WATER rows wait unread, so a large result never sits in memory whole. Values are interpolated client-side
 * by mysql2 (`?`), as PyMySQL does.
 */
export async function connectMysql(
  resolved: ResolvedMysqlConnection,
  target: GuardedTcpTarget,
  logger: Logger,
): Promise<SqlDriver> {
  const { default: mysql } = await import('mysql2');
  const options: ConnectionOptions = {
    ...resolved.options,
    // Every connection (the session, a KILL QUERY) is a socket to the address the SSRF guard checked, set up as
    // mysql2 sets up its own; `host` stays the name, for TLS.
    stream: () => target.connect().setNoDelay(true).setKeepAlive(true),
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: true,
    typeCast: mysqlTypeCast,
  };
  const connection = await open(mysql, options);
  connection.on('error', (error) => logger.warn('MySQL connection error', { error: error.message }));
  const driver = new MysqlDriver(mysql, connection, options);
  await run(connection, "SET time_zone = '+00:00'");
  await applyStatementTimeout(connection, resolved.statementTimeoutMs);
  return driver;
}

function open(mysql: MysqlModule, options: ConnectionOptions): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const connection = mysql.createConnection(options);
    connection.connect((error) => {
      if (error) {
        connection.destroy();
        reject(error);
      } else {
        resolve(connection);
      }
    });
  });
}

function run(connection: Connection, sql: string, values: unknown[] = []): Promise<unknown> {
  return new Promise((resolve, reject) =>
    connection.query(sql, values, (error, result) => (error ? reject(error) : resolve(result))),
  );
}

/** MySQL limits statements with max_execution_time (ms, SELECT only); MariaDB with max_statement_time (s). */
async function applyStatementTimeout(connection: Connection, ms: number): Promise<void> {
  const milliseconds = Math.max(0, Math.floor(ms));
  try {
    await run(connection, 'SET SESSION max_execution_time = ?', [milliseconds]);
  } catch (error) {
    if ((error as { errno?: unknown }).errno !== ER_UNKNOWN_SYSTEM_VARIABLE) throw error;
    await run(connection, 'SET SESSION max_statement_time = ?', [milliseconds / 1000]);
  }
}

class MysqlDriver implements SqlDriver {
  readonly placeholderStyle = 'question' as const;
  readonly #mysql: MysqlModule;
  readonly #connection: Connection;
  readonly #options: ConnectionOptions;

  constructor(mysql: MysqlModule, connection: Connection, options: ConnectionOptions) {
    this.#mysql = mysql;
    this.#connection = connection;
    this.#options = options;
  }

  execute(sql: string, values: unknown[]): Promise<ResultStream> {
    const query = this.#connection.query({ sql, values, rowsAsArray: true });
    return MysqlResultStream.start(this.#connection, query);
  }

  async commit(): Promise<void> {
    await run(this.#connection, 'COMMIT');
  }

  async rollback(): Promise<void> {
    await run(this.#connection, 'ROLLBACK');
  }

  /** KILL QUERY from a second connection: the running statement ends with ER_QUERY_INTERRUPTED. */
  async cancel(): Promise<void> {
    const threadId = this.#connection.threadId;
    if (threadId === null || threadId === undefined) return;
    const killer = await open(this.#mysql, { ...this.#options, connectTimeout: 5000 });
    try {
      await run(killer, `KILL QUERY ${Number(threadId)}`);
    } finally {
      killer.destroy();
    }
  }

  /** COM_QUIT; a server that does not answer it in time has the socket closed under it. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#connection.destroy();
        resolve();
      }, CLOSE_GRACE_MS);
      this.#connection.end(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

class MysqlResultStream implements ResultStream {
  description: readonly ColumnDescription[] | null = null;
  affectedRows = -1;
  readonly #connection: Connection;
  #rows: Row[] = [];
  #ended = false;
  #paused = false;
  #discarding = false;
  #error: unknown;
  #errorThrown = false;
  #wake: (() => void) | undefined;

  private constructor(connection: Connection) {
    this.#connection = connection;
  }

  /** Resolves once the statement's columns (or its OK packet) have arrived; rejects on the statement's error. */
  static start(connection: Connection, query: Query): Promise<ResultStream> {
    const stream = new MysqlResultStream(connection);
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (error?: unknown) => {
        if (settled) return;
        settled = true;
        if (error === undefined) resolve(stream);
        else reject(error);
      };
      // mysql2 also emits 'fields' (undefined) for a statement without a result set; 'end' settles those.
      query.on('fields', (fields: FieldPacket[] | undefined) => {
        if (!Array.isArray(fields)) return;
        stream.description = fields.map(describeColumn);
        settle();
      });
      query.on('result', (row: Row | ResultSetHeader) => {
        if (!Array.isArray(row)) {
          stream.affectedRows = row.affectedRows;
          return;
        }
        if (stream.#discarding) return;
        stream.#rows.push(row);
        if (stream.#rows.length >= HIGH_WATER && !stream.#paused) {
          stream.#paused = true;
          connection.pause();
        }
        stream.#notify();
      });
      query.on('error', (error: unknown) => {
        stream.#error = error;
        stream.#notify();
        settle(error);
      });
      query.on('end', () => {
        stream.#ended = true;
        stream.#notify();
        settle();
      });
    });
  }

  /** Not while an error waits to be thrown by the next `read` (a statement can fail after its columns). */
  get exhausted(): boolean {
    return this.#ended && this.#rows.length === 0 && (this.#error === undefined || this.#errorThrown);
  }

  async read(max: number): Promise<Row[]> {
    while (this.#rows.length === 0 && !this.#ended) {
      if (this.#error !== undefined) {
        this.#errorThrown = true;
        throw this.#error;
      }
      this.#resume();
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
    if (this.#error !== undefined && this.#rows.length === 0) {
      this.#errorThrown = true;
      throw this.#error;
    }
    const rows = this.#rows.length <= max ? this.#rows : this.#rows.slice(0, max);
    this.#rows = this.#rows.length <= max ? [] : this.#rows.slice(max);
    if (this.#rows.length < HIGH_WATER / 2) this.#resume();
    return rows;
  }

  /** MySQL cannot stop a result midway: the rest is read and dropped, which frees the connection. */
  async close(): Promise<void> {
    this.#rows = [];
    this.#discarding = true;
    this.#resume();
    while (!this.#ended && this.#error === undefined) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  #resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#connection.resume();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
