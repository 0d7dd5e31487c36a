import { describe, expect, it } from '@jest/globals';
import { runWithLogContext } from '../../src/logging/log-context';
import { createLogger, stringifyLogRecord } from '../../src/logging/logger';

describe('createLogger', () => {
  const capture = () => {
    const records: Record<string, unknown>[] = [];
    return { records, logger: createLogger('debug', (record) => records.push(record)) };
  };

  it('writes ts, level, msg and the request context', () => {
    // Prepare
    const { records, logger } = capture();

    // Act
    runWithLogContext({ mcd_trace_id: 't1', mcd_operation_name: 'pg/query' }, () => logger.info('hello', { n: 1 }));

    // Assess
    expect(records).toEqual([
      { ts: expect.any(String), level: 'info', msg: 'hello', mcd_trace_id: 't1', mcd_operation_name: 'pg/query', n: 1 },
    ]);
  });

  it('keeps each concurrent request’s context apart across awaits', async () => {
    // Prepare
    const { records, logger } = capture();
    // The first request waits for the second to finish, so their awaits interleave in a known order.
    let fastDone: () => void = () => {};
    const fastFinished = new Promise<void>((resolve) => {
      fastDone = resolve;
    });
    const request = (trace: string, waitFor: Promise<void>, then: () => void) =>
      runWithLogContext({ mcd_trace_id: trace }, async () => {
        await waitFor;
        logger.info(`done ${trace}`);
        then();
      });

    // Act
    await Promise.all([
      request('slow', fastFinished, () => {}),
      request('fast', new Promise((resolve) => setImmediate(resolve)), () => fastDone()),
    ]);

    // Assess
    expect(records.map((record) => [record.msg, record.mcd_trace_id])).toEqual([
      ['done fast', 'fast'],
      ['done slow', 'slow'],
    ]);
  });

  it('redacts passwords inside values: URLs, connection strings, error messages', () => {
    // Prepare
    const { records, logger } = capture();

    // Act
    logger.error('connect failed', {
      target: 'postgres://reader:hunter2@db.internal:5432/app',
      dsn_text: "host=db.internal user=reader password='hunter 3'",
      error: new Error('login failed for Server=db;Uid=reader;Pwd=hunter4;'),
    });

    // Assess
    expect(records[0]).toMatchObject({
      target: 'postgres://reader:__redacted__@db.internal:5432/app',
      dsn_text: 'host=db.internal user=reader password=__redacted__',
      error: { name: 'Error', message: 'login failed for Server=db;Uid=reader;Pwd=__redacted__;' },
    });
    expect(JSON.stringify(records)).not.toMatch(/hunter/);
  });

  it('redacts secret-looking keys and token-like values, recursively', () => {
    // Prepare
    const { records, logger } = capture();

    // Act
    logger.warn('connecting', {
      host: 'db.internal',
      password: 'hunter2',
      connect_args: { user: 'u' },
      nested: { api_token: 'abc', note: 'x'.repeat(40) },
    });

    // Assess
    expect(records[0]).toMatchObject({
      host: 'db.internal',
      password: '__redacted__',
      connect_args: '__redacted__',
      nested: { api_token: '__redacted__', note: '__redacted__' },
    });
  });

  it('drops records below its level', () => {
    // Prepare
    const records: unknown[] = [];
    const logger = createLogger('warn', (record) => records.push(record));

    // Act
    logger.info('quiet');
    logger.error('loud');

    // Assess
    expect(records).toHaveLength(1);
  });
});

describe('stringifyLogRecord', () => {
  it('writes bigints as their digits', () => {
    // Act
    const line = stringifyLogRecord({ ts: 't', level: 'info', msg: 'rows', count: 9007199254740993n });

    // Assess
    expect(JSON.parse(line)).toEqual({ ts: 't', level: 'info', msg: 'rows', count: '9007199254740993' });
  });

  it('turns a record it cannot encode into one that says so, keeping what sinks read', () => {
    // Prepare
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;

    // Act
    const line = stringifyLogRecord({ severity: 'ERROR', message: 'm', ts: 't', level: 'error', msg: 'm', cycle });

    // Assess
    expect(JSON.parse(line)).toEqual({
      ts: 't',
      level: 'error',
      severity: 'ERROR',
      msg: 'm',
      message: 'm',
      invalid_log_error: expect.stringMatching(/^TypeError: Converting circular structure to JSON/),
    });
  });
});
