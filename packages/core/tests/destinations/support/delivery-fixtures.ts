import type { IncomingMessage } from 'node:http';
import { type MockDestination, type MockStatus, startHttpServer, startMockDestination } from '@artemis/testkit';
import { afterEach } from '@jest/globals';
import type { AgentOptions } from '../../../src/agent/create-agent';
import { startTestAgent, type TestAgent } from '../../../src/testing';
import { type StatusBody, tempStorage, testClock } from '../../async/support/async-fixtures';

/** What the current test started (worlds, file servers), closed after it by `closeAfterEach`. */
const started: { close(): Promise<void> }[] = [];

/** Registers, in the calling test file, the closing of every world and file server each test started. */
export function closeAfterEach(): void {
  afterEach(async () => {
    for (const thing of started.splice(0).reverse()) await thing.close();
  });
}

/** `count` NDJSON records `{"id": i, "name": "record-i"}` (ids from `first`), one per line. */
export function ndjson(count: number, first = 1): Buffer {
  const lines: string[] = [];
  for (let id = first; id < first + count; id++) lines.push(JSON.stringify({ id, name: `record-${id}` }));
  return Buffer.from(`${lines.join('\n')}\n`);
}

export interface FileServerOptions {
  /** Answer every GET with the whole file (200), as a server without Range support does. */
  readonly ignoreRange?: boolean;
  /** Answer HEAD with 403, as an S3 URL pre-signed for GET does. */
  readonly refuseHead?: boolean;
  /** Cut a GET's connection after this many bytes of its answer (the first GET's; see `brokenGets`). */
  readonly breakGetAfter?: number;
  /** How many GETs, from the first, `breakGetAfter` cuts (1 unless told; Infinity: all). */
  readonly brokenGets?: number;
  /** Cut them cleanly: a chunked answer (no Content-Length) that simply ends, as a proxy giving up may send. */
  readonly cleanBreak?: boolean;
  /** Answer a Range request with at most this many bytes (its Content-Range says so), as some CDNs do. */
  readonly maxRangeBytes?: number;
  readonly etag?: string;
}

export interface FileServer {
  readonly url: string;
  /** Method and Range header of every request. */
  readonly requests: { method: string; range: string | undefined }[];
  content: Buffer;
  etag: string;
  close(): Promise<void>;
}

/** A real HTTP server holding one NDJSON file: HEAD, GET, `Range: bytes=N-` (206/416), ETag. */
export async function startFileServer(content: Buffer, options: FileServerOptions = {}): Promise<FileServer> {
  const requests: FileServer['requests'] = [];
  let gets = 0;
  const state = { content, etag: options.etag ?? '"v1"' };
  const server = await startHttpServer((req: IncomingMessage, res) => {
    const range = req.headers.range;
    requests.push({ method: req.method ?? '', range });
    const body = state.content;
    if (req.method === 'HEAD') {
      if (options.refuseHead) return void res.writeHead(403).end();
      return void res.writeHead(200, { 'content-length': body.length, etag: state.etag }).end();
    }
    gets++;
    const start = !options.ignoreRange && range ? Number(/^bytes=(\d+)-$/.exec(range)?.[1] ?? 0) : 0;
    if (start >= body.length && start > 0) {
      return void res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
    }
    const headers = { etag: state.etag, 'content-type': 'application/x-ndjson' };
    const end = start > 0 ? Math.min(body.length, start + (options.maxRangeBytes ?? body.length)) : body.length;
    const broken = options.breakGetAfter !== undefined && gets <= (options.brokenGets ?? 1);
    if (start > 0) {
      res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end - 1}/${body.length}` });
    } else {
      res.writeHead(200, broken && options.cleanBreak ? headers : { ...headers, 'content-length': body.length });
    }
    const rest = body.subarray(start, end);
    if (broken) {
      const sent = rest.subarray(0, options.breakGetAfter);
      if (options.cleanBreak) res.end(sent);
      else res.write(sent, () => res.destroy());
      return;
    }
    res.end(rest);
  });
  const fileServer: FileServer = {
    url: `${server.url}/exports/contacts.ndjson`,
    requests,
    get content() {
      return state.content;
    },
    set content(value: Buffer) {
      state.content = value;
    },
    get etag() {
      return state.etag;
    },
    set etag(value: string) {
      state.etag = value;
    },
    close: server.close,
  };
  started.push(fileServer);
  return fileServer;
}

export interface DeliveryWorld {
  readonly agent: TestAgent;
  readonly mock: MockDestination;
  readonly clock: ReturnType<typeof testClock>;
  /** Jobs the in-process dispatcher was handed, continuations included. */
  readonly dispatched: { request_id: string; continuation?: number }[];
  /** Runs the continuations held back (`holdContinuations`) and holds no more; resolves when those runs ended. */
  release(): Promise<void>;
  close(): Promise<void>;
}

/**
 * An agent (the real local server) delivering to a mock destination, on a test clock: every pause (rate limit,
 * retry) moves the clock instead of taking time, and each batch the destination receives moves it `msPerBatch`, so
 * a run's deadline falls after a known number of batches. Filesystem storage in a temp folder; loopback allowed.
 */
export async function startDeliveryWorld(
  env: Record<string, string> = {},
  options: {
    msPerBatch?: number;
    /** Called with each batch the destination receives (after the clock moved). */
    onBatch?: (records: readonly unknown[]) => void;
    /** Keep continuations from running until `release()` (a lost or late Lambda invocation). */
    holdContinuations?: boolean;
    agent?: Omit<AgentOptions, 'config' | 'logger'>;
  } = {},
): Promise<DeliveryWorld> {
  const clock = testClock();
  const mock = await startMockDestination({
    onBatch: (records) => {
      clock.advance(options.msPerBatch ?? 0);
      options.onBatch?.(records);
    },
  });
  const storage = await tempStorage();
  const dispatched: DeliveryWorld['dispatched'] = [];
  const held: { request_id: string; continuation?: number }[] = [];
  let holding = options.holdContinuations ?? false;
  let agent: TestAgent | undefined;
  // The worker runs the world started, awaited by close before the storage goes (a delivery is not awaited by the
  // agent's close: a run still writing then would fail on the removed root).
  const runs: (Promise<void> | undefined)[] = [];
  const agentReady = startTestAgent(
    {
      MCD_STORAGE: 'FILESYSTEM',
      MCD_STORAGE_PATH: storage.path,
      MCD_HTTP_ALLOW_LOOPBACK: 'true',
      MCD_ASYNC_CALLBACK_RETRIES: '2',
      MCD_DESTINATION_PROGRESS_INTERVAL_SECONDS: '0',
      ...env,
    },
    {
      clock: clock.now,
      sleep: async (ms) => {
        clock.advance(ms);
        await new Promise((resolve) => setImmediate(resolve));
      },
      callbackRetryDelayMs: 1,
      asyncDispatcher: {
        kind: 'test',
        dispatch: async (work) => {
          dispatched.push({ ...work });
          if (holding && work.continuation) held.push(work);
          else setImmediate(() => runs.push(agent?.agent.runAsyncWork(work)));
        },
      },
      ...options.agent,
    },
  );
  agent = await agentReady;
  const running = agent;
  const world: DeliveryWorld = {
    agent: running,
    mock,
    clock,
    dispatched,
    release: async () => {
      holding = false;
      const works = held.splice(0);
      await Promise.all(works.map((work) => running.agent.runAsyncWork(work)));
    },
    close: async () => {
      await world.release();
      await Promise.allSettled(runs);
      await running.close();
      await mock.close();
      await storage.remove();
    },
  };
  started.push(world);
  return world;
}

export interface Accepted {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** POSTs a payload to the destination route. */
export async function submitDelivery(agent: TestAgent, destination: string, payload: unknown): Promise<Accepted> {
  const response = await agent.post(`/api/v1/destinations/${destination}`, payload);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export interface Delivered {
  readonly accepted: Accepted;
  readonly status: StatusBody;
  /** The status API's reports for the payload's webhook id, the final one last. */
  readonly reports: MockStatus[];
  readonly final: MockStatus | undefined;
}

/** Submits a payload and waits for the job's end and its final status report. */
export async function deliverAndWait(
  world: DeliveryWorld,
  destination: string,
  payload: Record<string, unknown>,
): Promise<Delivered> {
  const accepted = await submitDelivery(world.agent, destination, payload);
  if (accepted.status !== 200)
    throw new Error(`submission answered ${accepted.status}: ${JSON.stringify(accepted.body)}`);
  const status = await untilEnded(world.agent, accepted.body.job_id as string);
  const webhook = String(payload.webhook_id);
  await untilReported(world.mock, webhook);
  const reports = world.mock.statuses.get(webhook) ?? [];
  return { accepted, status, reports, final: reports.at(-1) };
}

/** The payload of the seed's curl command, pointed at the mock. */
export function seedPayload(mock: MockDestination, dataUrl: string, extra: Record<string, unknown> = {}) {
  return {
    data_url: dataUrl,
    callback_url: mock.callbackUrl,
    webhook_id: 'wh-abcd12345',
    access_token: '2:somevarchar:anothervarchar',
    label_name: 'test label',
    settings: { url: mock.destinationUrl },
    ...extra,
  };
}

/**
 * Polls the status route until the job has ended; the outcome is asserted, never the time it took. Bounded, so a
 * delivery that never ends fails the test instead of hanging it.
 */
export async function untilEnded(agent: TestAgent, jobId: string): Promise<StatusBody> {
  for (let attempt = 0; attempt < 3000; attempt++) {
    const status = (await (await agent.get(`/async/api/v1/status/${jobId}`)).json()) as StatusBody;
    if (!['Pending', 'Running'].includes(status.__mcd_status__)) return status;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`delivery ${jobId} never ended`);
}

/** Until the status API has the final report (it is sent after the job's final record). */
export async function untilReported(mock: MockDestination, webhookId: string): Promise<void> {
  for (let attempt = 0; attempt < 3000; attempt++) {
    if ((mock.statuses.get(webhookId) ?? []).some((report) => report.state !== 'running')) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no final status report for ${webhookId}`);
}

/** The `id` of every record the mock acknowledged, in order. */
export function receivedIds(mock: MockDestination): unknown[] {
  return mock.received.map((record) => (record as { id?: unknown }).id);
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}
