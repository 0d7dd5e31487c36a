import { describe, expect, it } from '@jest/globals';
import { runWithLogContext } from '../../src/logging/log-context';
import { createLogger } from '../../src/logging/logger';

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
