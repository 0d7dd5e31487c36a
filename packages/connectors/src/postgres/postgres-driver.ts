import type { GuardedTcpTarget, Logger } from '@artemis/core';
import type { Client, ClientConfig, CustomTypesConfig, FieldDef, QueryResult } from 'pg';
import type Cursor from 'pg-cursor';
import type { ColumnDescription, ResultStream, Row, SqlDriver } from '../db-api/sql-driver';
import type { ResolvedPostgresConnection } from './postgres-connection-config';
import { describeColumn, postgresTypes } from './postgres-values';

/** Rows read with the statement itself, so `execute` knows the columns and reports SQL errors (as DB-API does). */
const FIRST_BATCH = 100;

/** How long `close()` waits for the server to acknowledge the end of the session. */
const CLOSE_GRACE_MS = 2000;

type PgModule = typeof import('pg')['default'];
type CursorClass = typeof Cursor;

/**
 * PostgreSQL (and Redshift) through `pg`: every statement runs through a `pg-cursor` server-side cursor (a named
 * portal read `max` rows at a time), so a result of any size is streamed, never loaded whole.
 *
 * Every socket (the session, a `prefer` retry without TLS, a cancel request) comes from `target`, the destination
 * the SSRF guard checked; `pg` still knows the host name, so TLS verifies that name.
 */
export async function connectPostgres(
  resolved: ResolvedPostgresConnection,
  target: GuardedTcpTarget,
  logger: Logger,
): Promise<SqlDriver> {
  // Drivers load on first use, never on the health path (SPEC §11).
  const [{ default: pg }, { default: CursorImpl }] = await Promise.all([import('pg'), import('pg-cursor')]);
  const types = postgresTypes(pg.types.getTypeParser);
  const client = await openClient(pg, resolved, target, types);
  client.on('error', (error) => logger.warn('PostgreSQL connection error', { error: error.message }));
  const driver = new PostgresDriver(client, CursorImpl, types, target);
  if (resolved.statementTimeoutMs !== undefined) {
    // A statement the server stops by itself, even if the agent is gone (SET also works on Redshift, where a
    // startup parameter would not).
    await client.query(`SET statement_timeout = ${Math.max(0, Math.floor(resolved.statementTimeoutMs))}`);
  }
  return driver;
}

async function openClient(
  pg: PgModule,
  resolved: ResolvedPostgresConnection,
  target: GuardedTcpTarget,
  types: CustomTypesConfig,
) {
  const base: ClientConfig = {
    // pg calls connect(port, host) on the stream it is given: the guarded socket goes to the checked address.
    stream: () => target.socket(),
    host: resolved.host,
    port: resolved.port,
    database: resolved.database,
    user: resolved.user,
    password: resolved.password,
    application_name: resolved.applicationName,
    types,
    ...(resolved.options ? { options: resolved.options } : {}),
    ...(resolved.connectTimeoutMs ? { connectionTimeoutMillis: resolved.connectTimeoutMs } : {}),
  };
  const tryConnect = async (ssl: ClientConfig['ssl']) => {
    const client = new pg.Client({ ...base, ssl });
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  };
  if (!resolved.tls) return tryConnect(false);
  try {
    return await tryConnect(resolved.tls);
  } catch (error) {
    // libpq's prefer/allow: a server without TLS is still reached, in plain text.
    const noTls = error instanceof Error && /does not support SSL/i.test(error.message);
    if (noTls && (resolved.sslmode === 'prefer' || resolved.sslmode === 'allow')) return tryConnect(false);
    throw error;
  }
}

class PostgresDriver implements SqlDriver {
  readonly placeholderStyle = 'dollar' as const;
  readonly #client: Client;
  readonly #Cursor: CursorClass;
  readonly #types: CustomTypesConfig;
  readonly #target: GuardedTcpTarget;

  constructor(client: Client, CursorImpl: CursorClass, types: CustomTypesConfig, target: GuardedTcpTarget) {
    this.#client = client;
    this.#Cursor = CursorImpl;
    this.#types = types;
    this.#target = target;
  }

  async execute(sql: string, values: unknown[]): Promise<ResultStream> {
    const cursor = this.#client.query(
      new this.#Cursor(sql, values.length > 0 ? values : undefined, { rowMode: 'array', types: this.#types }),
    );
    const first = await readCursor(cursor, FIRST_BATCH);
    return new PostgresResultStream(cursor, first.rows, first.result, first.rows.length < FIRST_BATCH);
  }

  async commit(): Promise<void> {
    await this.#client.query('COMMIT');
  }

  async rollback(): Promise<void> {
    await this.#client.query('ROLLBACK');
  }

  /**
   * A CancelRequest on a new connection (the PostgreSQL protocol's out-of-band cancel): 16 bytes carrying the
   * backend's process id and secret key. It is accepted before authentication and TLS, as libpq sends it. The
   * socket goes to the address the session was checked and opened with, through the same guard.
   */
  async cancel(): Promise<void> {
    const { processID, secretKey } = this.#client as unknown as { processID?: number; secretKey?: number };
    if (typeof processID !== 'number' || typeof secretKey !== 'number') return;
    const packet = Buffer.alloc(16);
    packet.writeInt32BE(16, 0);
    packet.writeInt32BE(80877102, 4);
    packet.writeInt32BE(processID, 8);
    packet.writeInt32BE(secretKey, 12);
    await new Promise<void>((resolve) => {
      const socket = this.#target.connect();
      const done = () => {
        socket.destroy();
        resolve();
      };
      socket.setTimeout(5000, done);
      socket.once('error', done);
      socket.once('close', done);
      socket.once('connect', () => socket.end(packet));
    });
  }

  /** Ends the session; a server that does not answer the goodbye in time has its socket closed under it. */
  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      this.#client.end().then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), CLOSE_GRACE_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    if (!ended)
      (this.#client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  }
}

class PostgresResultStream implements ResultStream {
  readonly description: readonly ColumnDescription[] | null;
  readonly affectedRows: number;
  readonly #cursor: Cursor;
  #prefetched: Row[];
  #serverDone: boolean;

  constructor(cursor: Cursor, firstRows: Row[], result: QueryResult, serverDone: boolean) {
    this.#cursor = cursor;
    this.#prefetched = firstRows;
    this.#serverDone = serverDone;
    const fields: FieldDef[] = result.fields ?? [];
    this.description = fields.length > 0 ? fields.map(describeColumn) : null;
    this.affectedRows = fields.length > 0 ? -1 : (result.rowCount ?? -1);
  }

  get exhausted(): boolean {
    return this.#serverDone && this.#prefetched.length === 0;
  }

  async read(max: number): Promise<Row[]> {
    if (this.#prefetched.length > 0) {
      const rows = this.#prefetched.length <= max ? this.#prefetched : this.#prefetched.slice(0, max);
      this.#prefetched = this.#prefetched.length <= max ? [] : this.#prefetched.slice(max);
      return rows;
    }
    if (this.#serverDone) return [];
    const { rows } = await readCursor(this.#cursor, max);
    // pg-cursor answers fewer rows than asked only when the portal is complete.
    if (rows.length < max) this.#serverDone = true;
    return rows;
  }

  async close(): Promise<void> {
    this.#prefetched = [];
    if (this.#serverDone) return;
    this.#serverDone = true;
    await this.#cursor.close();
  }
}

function readCursor(cursor: Cursor, max: number): Promise<{ rows: Row[]; result: QueryResult }> {
  return new Promise((resolve, reject) => {
    cursor.read(max, (error, rows, result) => {
      if (error) reject(error);
      else resolve({ rows: rows as Row[], result });
    });
  });
}
