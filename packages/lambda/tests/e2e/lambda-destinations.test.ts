import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildForTest, REPO_ROOT, type StartedProcess, startProcess } from '@artemis/testkit';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

/*
 * Webhook deliveries end to end (issue 15) on the BUILT Lambda bundle, in the seed's local environment as
 * `scripts/dev-destinations` starts it: s3rver holding the NDJSON, the mock destination and status API, and the
 * bundle behind scripts/lambda-local with a forced short function timeout (3 s), so each run hands over through a
 * real Event self-invocation (@aws-sdk/client-lambda against the emulator's Invoke API). The mock destination
 * takes at least 50 ms a batch: 200 batches cannot fit in fewer than five runs of at most ~2 s of work each, however
 * fast or slow the machine — the test counts continuations, it never times anything (each test's generous jest
 * timeout bounds a stuck delivery; it is not a measurement).
 */
const RECORDS = 200_000;
const WEBHOOK = 'wh-e2e-200k';

interface Urls {
  readonly lambda: string;
  readonly s3: string;
  readonly mock: string;
  readonly bucket: string;
}

let bundle: Awaited<ReturnType<typeof buildForTest>>;
let fixtures: string;
let environment: StartedProcess;
let urls: Urls;

beforeAll(async () => {
  bundle = await buildForTest('lambda');
  fixtures = await mkdtemp(join(tmpdir(), 'artemis-dest-fixtures-'));
  const lines: string[] = [];
  for (let id = 1; id <= RECORDS; id++) lines.push(`{"id":${id},"email":"person${id}@example.com"}`);
  await writeFile(join(fixtures, 'big.ndjson'), `${lines.join('\n')}\n`);
  environment = await startProcess(
    join(REPO_ROOT, 'scripts', 'dev-destinations'),
    [
      '--no-build',
      '--bundle',
      join(bundle.dir, 'lambda/index.mjs'),
      '--timeout',
      '3',
      '--fixtures',
      fixtures,
      '--lambda-port',
      '0',
      '--s3-port',
      '0',
      '--mock-port',
      '0',
    ],
    {
      env: {
        ...process.env,
        MCD_LOG_LEVEL: 'warn',
        MCD_DESTINATION_CONTINUE_MARGIN_SECONDS: '1',
        MCD_DESTINATION_PROGRESS_INTERVAL_SECONDS: '0',
        MCD_DESTINATION_BATCH_RETRIES: '2',
        MCD_DESTINATION_RETRY_DELAY_MS: '20',
      },
      ready: /dev-destinations ready (\{.*\})/,
      timeoutMs: 90_000,
    },
  );
  urls = JSON.parse(environment.ready) as Urls;
}, 180_000);

afterAll(async () => {
  await environment?.stop();
  await bundle?.remove();
  if (fixtures) await rm(fixtures, { recursive: true, force: true });
});

async function mock(path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${urls.mock}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return response.json();
}

/** A direct invoke with the seed's bare payload (no HTTP event around it), as `aws lambda invoke` sends it. */
async function invokeBare(
  payload: Record<string, unknown>,
): Promise<{ statusCode: number; body: Record<string, unknown> }> {
  const client = new LambdaClient({
    endpoint: urls.lambda,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const output = await client.send(new InvokeCommand({ FunctionName: 'artemis', Payload: JSON.stringify(payload) }));
    const result = JSON.parse(Buffer.from(output.Payload ?? []).toString('utf8')) as {
      statusCode: number;
      body: string;
    };
    return { statusCode: result.statusCode, body: JSON.parse(result.body) as Record<string, unknown> };
  } finally {
    client.destroy();
  }
}

/** Polls the status route through the emulator's API-Gateway front until the job has ended (bounded). */
async function untilEnded(jobId: string): Promise<Record<string, unknown>> {
  for (let attempt = 0; attempt < 6000; attempt++) {
    const status = (await (await fetch(`${urls.lambda}/async/api/v1/status/${jobId}`)).json()) as Record<
      string,
      unknown
    >;
    if (!['Pending', 'Running'].includes(status.__mcd_status__ as string)) return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`delivery ${jobId} never ended`);
}

interface Report {
  readonly state: string;
  readonly progress: number;
  readonly errors: string[];
  readonly reason: string;
}

/** The status API's reports once the final one has arrived (it is sent after the job's final record). */
async function reportsOf(webhook: string): Promise<Report[]> {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const reports = (await mock(`/mock/statuses/${webhook}`)) as Report[];
    if (reports.some((report) => report.state !== 'running')) return reports;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no final report for ${webhook}`);
}

function ids(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

describe('a 200 000-record delivery through scripts/lambda-local with a 3 s function timeout', () => {
  it('is delivered across at least three continuations: every record exactly once, in order; running, then one succeeded', async () => {
    // Prepare
    await mock('/mock/reset', {});
    await mock('/mock/control', { delay_ms: 50 });
    // Act
    const accepted = await invokeBare({
      data_url: `${urls.s3}/${urls.bucket}/big.ndjson`,
      callback_url: `${urls.mock}/mock/poll/`,
      webhook_id: WEBHOOK,
      access_token: '2:somevarchar:anothervarchar',
      settings: { url: `${urls.mock}/mock/destination`, batch_size: 1000 },
    });
    const status = await untilEnded(accepted.body.job_id as string);
    const reports = await reportsOf(WEBHOOK);
    const received = (await mock('/mock/received?field=id')) as { requests: number; values: number[] };
    // Assess
    expect(accepted).toEqual({ statusCode: 200, body: { status: 'accepted', job_id: expect.any(String) } });
    expect(received.values).toEqual(ids(1, RECORDS));
    expect(received.requests).toBe(200);
    expect(status).toMatchObject({
      __mcd_status__: 'Completed',
      __mcd_result__: { state: 'succeeded', records_sent: RECORDS, batches_sent: 200, errors_total: 0 },
    });
    expect((status.__mcd_result__ as { continuations: number }).continuations).toBeGreaterThanOrEqual(3);
    const running = reports.filter((report) => report.state === 'running').map((report) => report.progress);
    expect(running).toEqual([...running].sort((a, b) => a - b));
    expect(running.at(-1)).toBeGreaterThan(running[0] as number);
    expect(reports.filter((report) => report.state !== 'running')).toEqual([
      { state: 'succeeded', progress: 1, errors: [], reason: '' },
    ]);
    expect(reports.at(-1)?.state).toBe('succeeded');
  }, 180_000);

  it('with throttling (429 + Retry-After) and three failing batches: succeeded, those three listed, nothing else lost', async () => {
    // Prepare: every 40th request is a 429 asking for a second's pause; batches 20, 60 and 120 always fail.
    await mock('/mock/reset', {});
    await mock('/mock/control', { delay_ms: 20, throttle_every: 40, retry_after: 1, fail_batches: [20, 60, 120] });
    // Act
    const accepted = await invokeBare({
      data_url: `s3://${urls.bucket}/big.ndjson`,
      callback_url: `${urls.mock}/mock/poll/`,
      webhook_id: `${WEBHOOK}-throttled`,
      settings: { url: `${urls.mock}/mock/destination`, batch_size: 1000 },
    });
    const status = await untilEnded(accepted.body.job_id as string);
    const reports = await reportsOf(`${WEBHOOK}-throttled`);
    const received = (await mock('/mock/received?field=id')) as { values: number[] };
    // Assess
    const failed = [20, 60, 120];
    const kept = ids(1, RECORDS).filter((id) => !failed.includes(Math.ceil(id / 1000)));
    expect(received.values).toEqual(kept);
    const final = reports.at(-1);
    expect(final).toMatchObject({ state: 'succeeded', progress: 1, reason: '' });
    expect(final?.errors).toEqual(
      failed.map((batch) =>
        expect.stringMatching(
          new RegExp(
            `^batch ${batch}, lines ${(batch - 1) * 1000 + 1}-${batch * 1000}, 1000 records: HTTP (500|429): .* \\(after 3 attempts\\)$`,
          ),
        ),
      ),
    );
    expect(status).toMatchObject({
      __mcd_result__: { state: 'succeeded', records_sent: RECORDS - 3000, records_failed: 3000, batches_failed: 3 },
    });
    expect((status.__mcd_result__ as { continuations: number }).continuations).toBeGreaterThanOrEqual(1);
  }, 180_000);

  it('ends failed with the reason when a batch exhausts its retries and none may fail; the checkpoint shows where', async () => {
    // Prepare
    await mock('/mock/reset', {});
    await mock('/mock/control', { fail_batches: [7] });
    // Act
    const accepted = await invokeBare({
      data_url: `s3://${urls.bucket}/big.ndjson`,
      callback_url: `${urls.mock}/mock/poll/`,
      webhook_id: `${WEBHOOK}-failed`,
      settings: { url: `${urls.mock}/mock/destination`, batch_size: 1000, max_failed_batches: 0 },
    });
    const status = await untilEnded(accepted.body.job_id as string);
    const reports = await reportsOf(`${WEBHOOK}-failed`);
    const received = (await mock('/mock/received?field=id')) as { values: number[] };
    // Assess
    const reason =
      'batch 7, lines 6001-7000, 1000 records: HTTP 500: {"message":"Mock error","status":500} (after 3 attempts)';
    expect(received.values).toEqual(ids(1, 6000));
    expect(reports.at(-1)).toMatchObject({ state: 'failed', reason, errors: [reason] });
    expect(status).toMatchObject({
      __mcd_status__: 'Completed',
      __mcd_error__: reason,
      __mcd_error_type__: 'DeliveryFailed',
      __mcd_progress__: { state: 'failed', lines: 6000, records_sent: 6000, batches_sent: 6, reason },
    });
  }, 180_000);
});
