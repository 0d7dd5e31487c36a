import { itInPrivateNetwork } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestAgent, type TestAgent } from '../../src/testing';
import { tempStorage } from '../async/support/async-fixtures';

/*
 * The destination route's checks (issue 15): a refused payload is a 4xx error envelope that says why — never an
 * HTTP 200, which the platform would read as "accepted" — and nothing is stored or run. The agent here does not
 * allow loopback, as in production; nothing in these tests is ever fetched.
 */
let agent: TestAgent;
let storage: Awaited<ReturnType<typeof tempStorage>>;

const VALID = {
  data_url: 'https://exports.example.com/sample.ndjson',
  callback_url: 'https://app.example.com/webhook/v1/',
  webhook_id: 'wh-abcd12345',
  settings: { url: 'https://api.example.com/ingest' },
};

beforeAll(async () => {
  storage = await tempStorage();
  agent = await startTestAgent(
    { MCD_STORAGE: 'FILESYSTEM', MCD_STORAGE_PATH: storage.path, MCD_STORAGE_BUCKET_NAME: 'artemis-bucket' },
    // Nothing may run: a submission that got through would be dispatched here and fail the test.
    { asyncDispatcher: { kind: 'refuse', dispatch: async () => Promise.reject(new Error('nothing may run')) } },
  );
});

afterAll(async () => {
  await agent?.close();
  await storage?.remove();
});

async function post(path: string, body: unknown) {
  const response = await agent.post(path, body);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The error envelope every refusal has, with its message and type. */
function envelope(exception: string, message: string, type?: string, traceId?: string) {
  return {
    __mcd_error__: message,
    __mcd_exception__: `${exception}: ${message}`,
    __mcd_stack_trace__: expect.any(Array),
    ...(type ? { __mcd_error_type__: type } : {}),
    ...(traceId ? { __mcd_trace_id__: traceId } : {}),
  };
}

describe('POST /api/v1/destinations/{destination} refuses', () => {
  it('a payload without webhook_id (400)', async () => {
    // Prepare
    const { webhook_id: _id, ...payload } = VALID;
    // Act
    const answer = await post('/api/v1/destinations/http-json', payload);
    // Assess
    expect(answer).toEqual({
      status: 400,
      body: envelope('BadRequestError', 'Invalid request: webhook_id is required'),
    });
  });

  it('a webhook_id that would change the status URL (400)', async () => {
    // Act
    const answer = await post('/api/v1/destinations/http-json', { ...VALID, webhook_id: '../admin?x=1' });
    // Assess
    expect(answer).toEqual({
      status: 400,
      body: envelope(
        'BadRequestError',
        'Invalid request: webhook_id: expected 1 to 256 letters, digits, ".", "_", "~" or "-"',
      ),
    });
  });

  it('a body that is not JSON (400)', async () => {
    // Act
    const response = await agent.post('/api/v1/destinations/http-json', undefined);
    const raw = await fetch(`${agent.url}/api/v1/destinations/http-json`, { method: 'POST', body: '{"data_url": ' });
    // Assess
    expect(response.status).toBe(400);
    expect({ status: raw.status, body: await raw.json() }).toEqual({
      status: 400,
      // Node 22 says where; Node 20's parser does not for a body cut short.
      body: {
        ...envelope('BadRequestError', ''),
        __mcd_error__: expect.stringMatching(/^Malformed JSON in request body/),
        __mcd_exception__: expect.stringMatching(/^BadRequestError: Malformed JSON in request body/),
      },
    });
  });

  it('an unknown destination (404)', async () => {
    // Act
    const answer = await post('/api/v1/destinations/no-such-destination', VALID);
    // Assess
    expect(answer).toEqual({
      status: 404,
      body: envelope('UnknownDestinationError', 'Unknown destination: no-such-destination', 'NotFound', 'wh-abcd12345'),
    });
  });

  it('settings the destination does not accept (400)', async () => {
    // Act
    const missingUrl = await post('/api/v1/destinations/http-json', { ...VALID, settings: {} });
    const badBatch = await post('/api/v1/destinations/http-json', {
      ...VALID,
      settings: { ...VALID.settings, batch_size: 0 },
    });
    // Assess
    expect(missingUrl.status).toBe(400);
    expect(missingUrl.body.__mcd_error__).toMatch(/^Invalid settings: url: /);
    expect(badBatch).toEqual({
      status: 400,
      body: envelope(
        'BadRequestError',
        'Invalid settings: batch_size: expected an integer from 1 to 10000',
        undefined,
        'wh-abcd12345',
      ),
    });
  });

  it('a data_url the agent may not read (400)', async () => {
    // Act
    const ftp = await post('/api/v1/destinations/http-json', {
      ...VALID,
      data_url: 'ftp://exports.example.com/a.ndjson',
    });
    const s3 = await post('/api/v1/destinations/http-json', { ...VALID, data_url: 's3://artemis-bucket/mcd/a.ndjson' });
    const outside = await post('/api/v1/destinations/http-json', { ...VALID, data_url: '../../etc/passwd' });
    // Assess
    expect(ftp.body.__mcd_error__).toBe(
      'Invalid request: data_url: unsupported scheme ftp (expected http, https, s3, gs or a storage key)',
    );
    expect(s3.body.__mcd_error__).toBe(
      "Invalid request: data_url: s3:// needs the agent's storage to be S3 or S3_COMPATIBLE",
    );
    expect(outside.body.__mcd_error__).toBe(
      `Invalid request: data_url: Invalid storage key "../../etc/passwd": '..' segments are not allowed`,
    );
    expect([ftp.status, s3.status, outside.status]).toEqual([400, 400, 400]);
  });

  it('a callback_url on loopback when loopback is not allowed (403)', async () => {
    // Act
    const answer = await post('/api/v1/destinations/http-json', {
      ...VALID,
      callback_url: 'http://127.0.0.1:5005/mock/poll/',
    });
    // Assess
    expect(answer).toEqual({
      status: 403,
      body: envelope(
        'DestinationRefusedError',
        'callback_url refused: blocked address 127.0.0.1',
        'Forbidden',
        'wh-abcd12345',
      ),
    });
  });

  itInPrivateNetwork('a data_url at a cloud metadata address (403)', async () => {
    // Act
    const answer = await post('/api/v1/destinations/http-json', {
      ...VALID,
      data_url: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
    });
    // Assess
    expect(answer).toEqual({
      status: 403,
      body: envelope(
        'DestinationRefusedError',
        'data_url refused: blocked address 169.254.169.254',
        'Forbidden',
        'wh-abcd12345',
      ),
    });
  });

  it('POST /api/v1/destinations when no MCD_DESTINATION_DEFAULT is set (400)', async () => {
    // Act
    const answer = await post('/api/v1/destinations', VALID);
    // Assess
    expect(answer).toEqual({
      status: 400,
      body: envelope(
        'BadRequestError',
        'No destination named: POST /api/v1/destinations/{destination}, or set MCD_DESTINATION_DEFAULT',
      ),
    });
  });

  it('nothing with the wrong method (405), and stays up after all of it', async () => {
    // Act
    const get = await agent.get('/api/v1/destinations/http-json');
    const health = await agent.get('/health');
    // Assess
    expect(get.status).toBe(405);
    expect(health.status).toBe(200);
  });
});

describe('a submission the runtime cannot take', () => {
  it('answers 503 AsyncDispatchFailed and leaves the job Failed', async () => {
    // Act
    const answer = await post('/api/v1/destinations/http-json', VALID);
    // Assess
    expect(answer).toEqual({
      status: 503,
      body: envelope(
        'AsyncDispatchError',
        'Could not dispatch the async operation: nothing may run',
        'AsyncDispatchFailed',
        'wh-abcd12345',
      ),
    });
  });
});
