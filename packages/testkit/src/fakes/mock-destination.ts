import type { IncomingMessage, ServerResponse } from 'node:http';
import { type LocalHttpServer, sendJson, startLocalHttpServer } from './local-http-server';

/*
 * The seed's `api_destination` (seed 002), for the delivery tests and `scripts/dev-destinations`: one local HTTP
 * server that is both a destination API and the platform's status API, logs what it receives, and can be told to
 * fail, throttle or slow down.
 *
 *   POST /mock/destination      a batch `{<data_key>: [records]}`; answers `{"message", "status": 200}` as the seed's
 *   PUT  /mock/poll/<webhook>   a status report; kept per webhook id
 *   POST /mock/control          changes the behaviour (MockRules, merged), `POST /mock/reset` clears everything
 *   GET  /mock/received         `{"requests", "records", "values"}` (`?field=id`: that field of every record, in order)
 *   GET  /mock/statuses/<id>    the reports a webhook id received, in order
 *
 * A batch is known by its first record, so a batch sent again (a retry, a continuation) keeps its ordinal.
 */

export interface MockRules {
  /** Ordinals (1-based, in order of first arrival) of batches that are always refused with `fail_status`. */
  readonly fail_batches?: readonly number[];
  readonly fail_status?: number;
  /** Every n-th batch request is answered 429 with `Retry-After: retry_after` (seconds). */
  readonly throttle_every?: number;
  readonly retry_after?: number;
  /** Each batch is answered after this long. */
  readonly delay_ms?: number;
  /** The status API answers this instead of 200. */
  readonly status_api_status?: number;
}

export interface MockRequest {
  readonly ordinal: number;
  readonly records: number;
  readonly answered: number;
  readonly headers: IncomingMessage['headers'];
  /** The body as received (tests check records arrive byte for byte). */
  readonly body: string;
}

export interface MockStatus {
  readonly state: string;
  readonly progress: number;
  readonly errors: string[];
  readonly reason: string;
  readonly headers: IncomingMessage['headers'];
}

export interface MockDestination extends LocalHttpServer {
  /** Every acknowledged record, in the order acknowledged. */
  readonly received: unknown[];
  readonly requests: MockRequest[];
  readonly statuses: Map<string, MockStatus[]>;
  /** `<url>/mock/destination` */
  readonly destinationUrl: string;
  /** `<url>/mock/poll/`: the `callback_url` the webhook id is appended to. */
  readonly callbackUrl: string;
  control(rules: MockRules): void;
  reset(): void;
}

export interface MockOptions {
  /** Log one line per request (the dev script's console). */
  readonly log?: (line: string) => void;
  /** Called with each batch before it is answered (tests move their clock here). */
  readonly onBatch?: (records: readonly unknown[]) => void | Promise<void>;
  /** 0 (an ephemeral port) unless told. */
  readonly port?: number;
}

export async function startMockDestination(options: MockOptions = {}): Promise<MockDestination> {
  const received: unknown[] = [];
  const requests: MockRequest[] = [];
  const statuses = new Map<string, MockStatus[]>();
  const ordinals = new Map<string, number>();
  let rules: MockRules = {};
  const log = options.log ?? (() => undefined);

  const server = await startLocalHttpServer(
    async (request, body, response) => {
      const url = new URL(request.url ?? '/', 'http://mock');
      const path = url.pathname;
      if (request.method === 'POST' && path.startsWith('/mock/destination')) {
        return batch(request, body, response);
      }
      if (request.method === 'PUT' && path.startsWith('/mock/poll/')) {
        const id = decodeURIComponent(path.slice('/mock/poll/'.length));
        const report = JSON.parse(body.toString('utf8')) as Omit<MockStatus, 'headers'>;
        statuses.set(id, [...(statuses.get(id) ?? []), { ...report, headers: request.headers }]);
        log(`status ${id}: ${report.state} ${report.progress}${report.reason ? ` (${report.reason})` : ''}`);
        const status = rules.status_api_status ?? 200;
        return sendJson(response, status, { message: `received status for ${id}`, status });
      }
      if (request.method === 'POST' && path === '/mock/control') {
        rules = { ...rules, ...(JSON.parse(body.toString('utf8') || '{}') as MockRules) };
        log(`control: ${JSON.stringify(rules)}`);
        return sendJson(response, 200, rules);
      }
      if (request.method === 'POST' && path === '/mock/reset') {
        reset();
        return sendJson(response, 200, {});
      }
      if (request.method === 'GET' && path === '/mock/received') {
        const field = url.searchParams.get('field');
        const values = field ? received.map((record) => (record as Record<string, unknown> | null)?.[field]) : [];
        return sendJson(response, 200, { requests: requests.length, records: received.length, values });
      }
      if (request.method === 'GET' && path.startsWith('/mock/statuses/')) {
        const id = decodeURIComponent(path.slice('/mock/statuses/'.length));
        return sendJson(
          response,
          200,
          (statuses.get(id) ?? []).map(({ headers: _headers, ...report }) => report),
        );
      }
      if (request.method === 'GET' && path === '/health')
        return sendJson(response, 200, { message: 'up', status: 200 });
      return sendJson(response, 404, { message: `no mock route ${request.method} ${path}` });
    },
    undefined,
    options.port ?? 0,
  );

  async function batch(request: IncomingMessage, body: Buffer, response: ServerResponse) {
    const text = body.toString('utf8');
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const records = (Object.values(parsed).find(Array.isArray) ?? []) as unknown[];
    const key = JSON.stringify(records[0] ?? null);
    const ordinal = ordinals.get(key) ?? ordinals.size + 1;
    ordinals.set(key, ordinal);
    await options.onBatch?.(records);
    if (rules.delay_ms) await new Promise((resolve) => setTimeout(resolve, rules.delay_ms));
    const throttled = rules.throttle_every !== undefined && (requests.length + 1) % rules.throttle_every === 0;
    const failed = rules.fail_batches?.includes(ordinal) ?? false;
    const answered = throttled ? 429 : failed ? (rules.fail_status ?? 500) : 200;
    requests.push({ ordinal, records: records.length, answered, headers: request.headers, body: text });
    log(`destination: batch ${ordinal} of ${records.length} records → ${answered}`);
    if (throttled) {
      return sendJson(
        response,
        429,
        { message: 'Too many requests', status: 429 },
        {
          'retry-after': String(rules.retry_after ?? 1),
        },
      );
    }
    if (failed) return sendJson(response, answered, { message: 'Mock error', status: answered });
    received.push(...records);
    return sendJson(response, 200, { message: `Received request with ${records.length} records.`, status: 200 });
  }

  function reset() {
    received.length = 0;
    requests.length = 0;
    statuses.clear();
    ordinals.clear();
    rules = {};
  }

  return {
    ...server,
    received,
    requests,
    statuses,
    destinationUrl: `${server.url}/mock/destination`,
    callbackUrl: `${server.url}/mock/poll/`,
    control: (more) => {
      rules = { ...rules, ...more };
    },
    reset,
  };
}
