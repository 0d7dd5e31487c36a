import type { TestAgent } from '@artemis/core/testing';
import { type FakeAwsRemoteOps, startFakeAwsRemoteOps } from '@artemis/testkit';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { call, lambdaRemoteOpsAgent } from '../support/remote-ops-agent';

/* The AWS log routes (apollo-inventory §1.3) driven by the real @aws-sdk/client-cloudwatch-logs against the fake. */

const GROUP = 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/artemis-agent';
const NOW = new Date('2026-03-01T12:00:00Z');

let fake: FakeAwsRemoteOps;
let agent: TestAgent;
beforeEach(async () => {
  fake = await startFakeAwsRemoteOps();
});
afterEach(async () => {
  await agent?.close();
  await fake.close();
});

describe('/api/v1/aws/logs/filter', () => {
  it('pages with nextToken while fewer than limit events came back', async () => {
    // Prepare
    for (let i = 0; i < 5; i++) {
      fake.logEvents.push({
        timestamp: Date.parse(`2026-03-01T11:5${i}:00Z`),
        message: `line ${i}`,
        logStreamName: 's',
      });
    }
    agent = await lambdaRemoteOpsAgent(fake, { MCD_LOG_GROUP_ID: GROUP });

    // Act
    const { body } = await call(
      agent,
      '/api/v1/aws/logs/filter?trace_id=t-1&start_time=2026-03-01T11:00:00Z&end_time=2026-03-01T12:00:00Z&limit=3&pattern=line',
    );

    // Assess: pages of two; the second brings the total to four, past the limit, as Apollo's loop does.
    const events = (body.__mcd_result__ as { events: { message: string }[] }).events;
    expect(events.map((e) => e.message)).toEqual(['line 0', 'line 1', 'line 2', 'line 3']);
    expect(body.__mcd_trace_id__).toBe('t-1');
    expect(fake.calls.map((c) => c.input)).toEqual([
      {
        logGroupIdentifier: GROUP,
        limit: 3,
        filterPattern: 'line',
        startTime: Date.parse('2026-03-01T11:00:00Z'),
        endTime: Date.parse('2026-03-01T12:00:00Z'),
      },
      {
        logGroupIdentifier: GROUP,
        limit: 3,
        filterPattern: 'line',
        startTime: Date.parse('2026-03-01T11:00:00Z'),
        endTime: Date.parse('2026-03-01T12:00:00Z'),
        nextToken: '2',
      },
    ]);
  });

  it('answers "Missing MCD_LOG_GROUP_ID environment variable" without the variable', async () => {
    // Prepare
    agent = await lambdaRemoteOpsAgent(fake);

    // Act
    const { status, body } = await call(agent, '/api/v1/aws/logs/filter?trace_id=t-2');

    // Assess
    expect(status).toBe(200);
    expect(body).toMatchObject({
      __mcd_error__: 'Missing MCD_LOG_GROUP_ID environment variable',
      __mcd_trace_id__: 't-2',
    });
    expect(fake.calls).toEqual([]);
  });

  it('answers a denied call with the Permissions type and the trace id', async () => {
    // Prepare
    fake.denied.add('logs.FilterLogEvents');
    agent = await lambdaRemoteOpsAgent(fake, { MCD_LOG_GROUP_ID: GROUP });

    // Act
    const { body } = await call(agent, '/api/v1/aws/logs/filter?trace_id=t-3');

    // Assess
    expect(body).toMatchObject({
      __mcd_error__:
        'User: arn:aws:sts::123456789012:assumed-role/artemis-role/artemis is not authorized to perform: logs:FilterLogEvents',
      __mcd_error_type__: 'Permissions',
      __mcd_trace_id__: 't-3',
    });
  });
});

describe('Logs Insights queries', () => {
  it('starts a query over the window in seconds, reads its rows as objects, stops it', async () => {
    // Prepare
    fake.queries.set('next', {
      results: [
        { '@timestamp': '2026-03-01 11:55:00.000', '@message': 'hello' },
        { '@timestamp': '2026-03-01 11:56:00.000', '@message': 'world' },
      ],
      status: 'Running',
    });
    fake.throttle.remaining = 1;
    agent = await lambdaRemoteOpsAgent(fake, { MCD_LOG_GROUP_ID: GROUP }, () => NOW);

    // Act
    const started = await call(agent, '/api/v1/aws/logs/start_query', { query: 'fields @timestamp, @message' });
    const queryId = (started.body.__mcd_result__ as { query_id: string }).query_id;
    const results = await call(agent, `/api/v1/aws/logs/query_results?query_id=${queryId}`);
    const stopped = await call(agent, '/api/v1/aws/logs/stop_query', { query_id: queryId, trace_id: 't-4' });

    // Assess
    expect(queryId).toBe('q-1');
    // The first StartQuery was throttled and retried by the SDK: the same request twice.
    const startQuery = {
      queryString: 'fields @timestamp, @message',
      logGroupIdentifiers: [GROUP],
      limit: 1000,
      startTime: Date.parse('2026-03-01T11:50:00Z') / 1000,
      endTime: Date.parse('2026-03-01T12:00:00Z') / 1000,
    };
    expect(fake.calls.filter((c) => c.operation === 'logs.StartQuery').map((c) => c.input)).toEqual([
      startQuery,
      startQuery,
    ]);
    expect(results.body.__mcd_result__).toEqual({
      events: [
        { '@timestamp': '2026-03-01 11:55:00.000', '@message': 'hello' },
        { '@timestamp': '2026-03-01 11:56:00.000', '@message': 'world' },
      ],
      status: 'Running',
    });
    expect(stopped.body).toEqual({ __mcd_result__: { success: true }, __mcd_trace_id__: 't-4' });
  });
});
