import { afterEach, describe, expect, it } from '@jest/globals';
import type { AwsPlatformLogs, RemoteOps } from '../../src/remote-ops/remote-ops';
import { applicationInsightsQuery, cloudRunLogFilter } from '../../src/routes/platform-log-routes';
import { startTestAgent, type TestAgent } from '../support/test-agent';

/*
 * The platform log routes as the core answers them: the runtime check, the parameters (400 for missing or bad ones),
 * the default windows and Apollo's filter and query building. The readers here record what they are asked; the real
 * ones are driven by their SDKs against HTTP fakes in the adapters' packages.
 */

const NOW = new Date('2026-03-01T12:00:00Z');

let agent: TestAgent | undefined;
afterEach(async () => {
  await agent?.close();
  agent = undefined;
});

async function start(remoteOps: RemoteOps = {}, options: { env?: Record<string, string> } = {}) {
  agent = await startTestAgent({}, { remoteOps: { now: () => NOW, ...remoteOps }, env: options.env ?? {} });
  return agent;
}

async function json(response: Response) {
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function recordingAws() {
  const calls: unknown[] = [];
  const logs: AwsPlatformLogs = {
    filter: async (request) => {
      calls.push(['filter', request]);
      return [{ message: 'line' }];
    },
    startQuery: async (request) => {
      calls.push(['startQuery', request]);
      return 'q-1';
    },
    stopQuery: async (queryId) => {
      calls.push(['stopQuery', queryId]);
      return { success: true };
    },
    queryResults: async (queryId) => {
      calls.push(['queryResults', queryId]);
      return { events: [{ '@message': 'x' }], status: 'Complete' };
    },
  };
  return { logs, calls };
}

describe('on a runtime without the platform', () => {
  it.each([
    ['/api/v1/aws/logs/filter', 'Only supported for AWS platform'],
    ['/api/v1/aws/logs/stop_query?query_id=q', 'Only supported for AWS platform'],
    ['/api/v1/gcp/logs/list', 'Only supported for GCP platform'],
    ['/api/v1/azure/logs/query', 'Only supported for Azure platform'],
  ])('%s answers "%s" with the trace id', async (path, message) => {
    // Prepare
    const server = await start();

    // Act
    const { status, body } = await json(await server.get(`${path}${path.includes('?') ? '&' : '?'}trace_id=t-1`));

    // Assess
    expect(status).toBe(200);
    expect(body).toMatchObject({ __mcd_error__: message, __mcd_trace_id__: 't-1' });
  });
});

describe('AWS log routes', () => {
  it('filter: ten minutes back, no end, 1000 events by default', async () => {
    // Prepare
    const { logs, calls } = recordingAws();
    const server = await start({ aws: async () => logs });

    // Act
    const { body } = await json(await server.get('/api/v1/aws/logs/filter?trace_id=t-2'));

    // Assess
    expect(body).toEqual({ __mcd_result__: { events: [{ message: 'line' }] }, __mcd_trace_id__: 't-2' });
    expect(calls).toEqual([
      [
        'filter',
        { pattern: undefined, window: { start: new Date('2026-03-01T11:50:00Z'), end: undefined }, limit: 1000 },
      ],
    ]);
  });

  it('start_query: the window ends now by default and the query id comes back', async () => {
    // Prepare
    const { logs, calls } = recordingAws();
    const server = await start({ aws: async () => logs });

    // Act
    const { body } = await json(
      await server.post('/api/v1/aws/logs/start_query', {
        trace_id: 't-3',
        query: 'fields @message',
        start_time: '2026-03-01T11:00:00Z',
        limit: '20',
      }),
    );

    // Assess
    expect(body).toEqual({ __mcd_result__: { query_id: 'q-1' }, __mcd_trace_id__: 't-3' });
    expect(calls).toEqual([
      ['startQuery', { query: 'fields @message', start: new Date('2026-03-01T11:00:00Z'), end: NOW, limit: 20 }],
    ]);
  });

  it.each([
    ['/api/v1/aws/logs/start_query', 'query is a required parameter'],
    ['/api/v1/aws/logs/stop_query', 'query_id is a required parameter'],
    ['/api/v1/aws/logs/query_results', 'query_id is a required parameter'],
  ])('%s without its required parameter is a 400 (Apollo: an HTML 500)', async (path, message) => {
    // Prepare
    const { logs, calls } = recordingAws();
    const server = await start({ aws: async () => logs });

    // Act
    const { status, body } = await json(await server.post(path, { trace_id: 't-4' }));

    // Assess
    expect(status).toBe(400);
    expect(body).toMatchObject({ __mcd_error__: message, __mcd_trace_id__: 't-4' });
    expect(calls).toEqual([]);
  });

  it('a limit that is not a positive integer is a 400', async () => {
    // Prepare
    const { logs } = recordingAws();
    const server = await start({ aws: async () => logs });

    // Act
    const { status, body } = await json(await server.get('/api/v1/aws/logs/filter?trace_id=t-5&limit=-3'));

    // Assess
    expect(status).toBe(400);
    expect(body.__mcd_error__).toBe('Invalid value for limit parameter: expected an integer from 1 to 10000');
  });

  it('stop_query and query_results answer what the reader returned', async () => {
    // Prepare
    const { logs } = recordingAws();
    const server = await start({ aws: async () => logs });

    // Act
    const stopped = await json(await server.get('/api/v1/aws/logs/stop_query?query_id=q-1&trace_id=t-6'));
    const results = await json(await server.get('/api/v1/aws/logs/query_results?query_id=q-1&trace_id=t-6'));

    // Assess
    expect(stopped.body).toEqual({ __mcd_result__: { success: true }, __mcd_trace_id__: 't-6' });
    expect(results.body).toEqual({
      __mcd_result__: { events: [{ '@message': 'x' }], status: 'Complete' },
      __mcd_trace_id__: 't-6',
    });
  });
});

describe('GCP log route', () => {
  it("narrows the filter to this service and the last ten minutes, Apollo's way", async () => {
    // Prepare
    const requests: unknown[] = [];
    const server = await start(
      {
        gcp: async () => ({
          list: async (request) => {
            requests.push(request);
            return [{ textPayload: 'x' }];
          },
        }),
      },
      { env: { K_SERVICE: 'artemis-agent' } },
    );

    // Act
    const { body } = await json(
      await server.post('/api/v1/gcp/logs/list', { trace_id: 't-7', filter: 'severity >= ERROR', limit: 10 }),
    );

    // Assess
    expect(body).toEqual({ __mcd_result__: { events: [{ textPayload: 'x' }] }, __mcd_trace_id__: 't-7' });
    expect(requests).toEqual([
      {
        filter:
          'severity >= ERROR\nresource.type = "cloud_run_revision"\nresource.labels.service_name = "artemis-agent"\ntimestamp >= "2026-03-01T11:50:00.000Z"',
        limit: 10,
      },
    ]);
  });

  it('keeps a filter that names a timestamp as the only time bound', () => {
    // Act
    const filter = cloudRunLogFilter('timestamp >= "2026-01-01T00:00:00Z"', 'svc', NOW);

    // Assess
    expect(filter).toBe(
      'timestamp >= "2026-01-01T00:00:00Z"\nresource.type = "cloud_run_revision"\nresource.labels.service_name = "svc"\n',
    );
  });
});

describe('Azure log route', () => {
  it.each([
    [
      undefined,
      'traces | project timestamp, message, customDimensions| order by timestamp desc| take 10 | order by timestamp asc',
    ],
    [
      'where customDimensions.mcd_trace_id == "1234"',
      'traces | where customDimensions.mcd_trace_id == "1234" | project timestamp, message, customDimensions| order by timestamp desc| take 10 | order by timestamp asc',
    ],
    ['traces | order by timestamp asc', 'traces | order by timestamp asc'],
    ['requests | take 3', 'requests | take 3'],
  ])('builds the KQL of %j', (query, expected) => {
    // Act / Assess
    expect(applicationInsightsQuery(query, 10)).toBe(expected);
  });

  it('sends the built query with the window (default: the last ten minutes up to now)', async () => {
    // Prepare
    const requests: unknown[] = [];
    const server = await start({
      azure: async () => ({
        query: async (request) => {
          requests.push(request);
          return [{ message: 'abc' }];
        },
      }),
    });

    // Act
    const { body } = await json(await server.get('/api/v1/azure/logs/query?trace_id=t-8&limit=5'));

    // Assess
    expect(body).toEqual({ __mcd_result__: { events: [{ message: 'abc' }] }, __mcd_trace_id__: 't-8' });
    expect(requests).toEqual([
      {
        query:
          'traces | project timestamp, message, customDimensions| order by timestamp desc| take 5 | order by timestamp asc',
        start: new Date('2026-03-01T11:50:00Z'),
        end: NOW,
      },
    ]);
  });
});
