import { createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { type LocalHttpServer, sendJson, startLocalHttpServer } from './local-http-server';

/** A result column in Snowflake's `rowtype` shape (`type`: fixed, real, text, date, time, timestamp_ntz, …). */
export interface FakeSnowflakeColumn {
  readonly name: string;
  readonly type: string;
  readonly precision?: number;
  readonly scale?: number;
  readonly nullable?: boolean;
  readonly length?: number;
}

/** A statement's answer: rows in Snowflake's JSON result format (every value as text) or a failure. */
export interface FakeSnowflakeStatement {
  readonly rowtype?: readonly FakeSnowflakeColumn[];
  readonly rowset?: readonly (readonly (string | null)[])[];
  readonly error?: { readonly code: string; readonly sqlState: string; readonly message: string };
}

export interface FakeSnowflakeRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
}

export interface FakeSnowflake extends LocalHttpServer {
  readonly statements: Map<string, FakeSnowflakeStatement>;
  readonly requests: FakeSnowflakeRequest[];
  /** Accepted logins: password by user, the public key of a key pair, OAuth access tokens. */
  readonly accounts: {
    passwords: Map<string, string>;
    publicKeys: Map<string, string>;
    oauthTokens: Set<string>;
  };
  /** The session token handed out at login (tests check it is never echoed). */
  readonly sessionToken: string;
  /** Other routes answered to a valid session token (a REST API of the account): path → [status, body]. */
  readonly routes: Map<string, [number, unknown]>;
  /** Query ids a client aborted. */
  readonly aborted: string[];
}

/** The session parameters a query answer carries (Snowflake's defaults, UTC as the session zone). */
const SESSION_PARAMETERS = [
  { name: 'TIMEZONE', value: 'UTC' },
  { name: 'BINARY_OUTPUT_FORMAT', value: 'HEX' },
  { name: 'DATE_OUTPUT_FORMAT', value: 'YYYY-MM-DD' },
  { name: 'TIME_OUTPUT_FORMAT', value: 'HH24:MI:SS' },
  { name: 'TIMESTAMP_OUTPUT_FORMAT', value: 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM' },
  { name: 'TIMESTAMP_NTZ_OUTPUT_FORMAT', value: 'YYYY-MM-DD HH24:MI:SS.FF3' },
  { name: 'TIMESTAMP_LTZ_OUTPUT_FORMAT', value: '' },
  { name: 'TIMESTAMP_TZ_OUTPUT_FORMAT', value: '' },
  { name: 'CLIENT_TIMESTAMP_TYPE_MAPPING', value: 'TIMESTAMP_LTZ' },
  { name: 'CLIENT_RESULT_PREFETCH_THREADS', value: 1 },
];

const SESSION_TOKEN = 'ver:1-hint:1-ETMsDgAAAYfakeSessionToken0123456789';

/**
 * An HTTP-level fake of the endpoints snowflake-sdk speaks: `POST /session/v1/login-request` (password, SNOWFLAKE_JWT
 * whose RS256 signature is checked against the user's public key, OAUTH), `POST /queries/v1/query-request`
 * (gzipped JSON `sqlText`/`bindings`; answers `rowtype`/`rowset` with every value as text, or Snowflake's failure
 * shape with `code`, `message`, `data.sqlState`, `data.queryId`), `/queries/{id}/abort-request`,
 * `/telemetry/send` and `/session?delete=true`. Requests must carry the session token as `Snowflake Token="…"`.
 */
export async function startFakeSnowflake(): Promise<FakeSnowflake> {
  const statements = new Map<string, FakeSnowflakeStatement>();
  const requests: FakeSnowflakeRequest[] = [];
  const accounts = {
    passwords: new Map<string, string>(),
    publicKeys: new Map<string, string>(),
    oauthTokens: new Set<string>(),
  };
  const routes = new Map<string, [number, unknown]>();
  const aborted: string[] = [];
  let sequence = 0;
  const server = await startLocalHttpServer((request, raw, response) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const text =
      request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
    const body = text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : text;
    requests.push({
      method: request.method ?? '',
      path: `${url.pathname}${url.search}`,
      headers: request.headers,
      body,
    });
    if (url.pathname === '/session/v1/login-request') {
      const data = (body as { data?: Record<string, unknown> }).data ?? {};
      const refusal = checkLogin(data, accounts);
      if (refusal) return sendJson(response, 200, { data: null, code: '390100', message: refusal, success: false });
      return sendJson(response, 200, {
        data: {
          token: SESSION_TOKEN,
          masterToken: 'ver:1-hint:1-fakeMasterToken',
          validityInSeconds: 3600,
          masterValidityInSeconds: 14400,
          displayUserName: String(data.LOGIN_NAME ?? ''),
          serverVersion: '8.40.1',
          firstLogin: false,
          sessionId: 1172419283,
          parameters: [{ name: 'CLIENT_SESSION_KEEP_ALIVE', value: false }],
          sessionInfo: { databaseName: 'DB', schemaName: 'PUBLIC', warehouseName: 'WH', roleName: 'MC' },
        },
        code: null,
        message: null,
        success: true,
      });
    }
    if (request.headers.authorization !== `Snowflake Token="${SESSION_TOKEN}"`) {
      return sendJson(response, 401, {
        data: null,
        code: '390101',
        message: 'Session no longer exists.',
        success: false,
      });
    }
    if (url.pathname === '/queries/v1/query-request') {
      sequence += 1;
      const queryId = `01b8c3d4-0000-1234-0000-00${String(sequence).padStart(10, '0')}`;
      const sql = String((body as { sqlText?: unknown }).sqlText ?? '');
      const statement = statements.get(sql) ?? syntaxError(sql);
      if (statement.error) {
        return sendJson(response, 200, {
          data: {
            internalError: false,
            errorCode: statement.error.code,
            sqlState: statement.error.sqlState,
            queryId,
            type: 'COMPILATION',
          },
          code: statement.error.code,
          message: statement.error.message,
          success: false,
        });
      }
      const rowtype = (statement.rowtype ?? []).map((column) => ({
        name: column.name,
        database: 'DB',
        schema: 'PUBLIC',
        table: '',
        byteLength: column.length === undefined ? null : column.length * 4,
        length: column.length ?? null,
        type: column.type,
        scale: column.scale ?? null,
        precision: column.precision ?? null,
        nullable: column.nullable ?? true,
        collation: null,
      }));
      const rowset = statement.rowset ?? [];
      return sendJson(response, 200, {
        data: {
          parameters: SESSION_PARAMETERS,
          rowtype,
          rowset,
          total: rowset.length,
          returned: rowset.length,
          queryId,
          finalDatabaseName: 'DB',
          finalSchemaName: 'PUBLIC',
          finalWarehouseName: 'WH',
          finalRoleName: 'MC',
          numberOfBinds: 0,
          statementTypeId: 4096,
          version: 1,
          queryResultFormat: 'json',
        },
        code: null,
        message: null,
        success: true,
      });
    }
    const abort = /^\/queries\/([^/]+)\/abort-request$/.exec(url.pathname);
    if (abort?.[1]) {
      aborted.push(abort[1]);
      return sendJson(response, 200, { data: null, code: null, message: null, success: true });
    }
    if (url.pathname === '/telemetry/send' || url.pathname === '/session') {
      return sendJson(response, 200, { data: null, code: null, message: null, success: true });
    }
    const route = routes.get(url.pathname);
    if (route) {
      const [status, answer] = route;
      if (typeof answer === 'string') {
        response.writeHead(status, { 'content-type': 'text/plain' }).end(answer);
        return;
      }
      return sendJson(response, status, answer);
    }
    sendJson(response, 404, { message: `No route ${url.pathname}`, success: false });
  });
  return { ...server, statements, requests, accounts, sessionToken: SESSION_TOKEN, routes, aborted };
}

function checkLogin(data: Record<string, unknown>, accounts: FakeSnowflake['accounts']): string | undefined {
  const user = String(data.LOGIN_NAME ?? '');
  const authenticator = String(data.AUTHENTICATOR ?? 'SNOWFLAKE').toUpperCase();
  if (authenticator === 'OAUTH') {
    return accounts.oauthTokens.has(String(data.TOKEN ?? '')) ? undefined : 'Invalid OAuth access token.';
  }
  if (authenticator === 'SNOWFLAKE_JWT') {
    const publicKey = accounts.publicKeys.get(user);
    return publicKey && verifyJwt(String(data.TOKEN ?? ''), createPublicKey(publicKey))
      ? undefined
      : 'JWT token is invalid.';
  }
  return accounts.passwords.get(user) === data.PASSWORD ? undefined : 'Incorrect username or password was specified.';
}

function verifyJwt(token: string, key: KeyObject): boolean {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return false;
  return createVerify('RSA-SHA256').update(`${header}.${payload}`).verify(key, Buffer.from(signature, 'base64url'));
}

function syntaxError(sql: string): FakeSnowflakeStatement {
  const token = sql.split(/\s+/)[0] ?? '';
  return {
    error: {
      code: '001003',
      sqlState: '42000',
      message: `SQL compilation error:\nsyntax error line 1 at position 0 unexpected '${token}'.`,
    },
  };
}
