import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, SAMPLE_PLUGIN, startTestAgent, type TestAgent } from '../support/test-agent';

describe('the command interpreter over HTTP', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startTestAgent({ MCD_CONNECTOR_MODULES: SAMPLE_PLUGIN });
  });
  afterAll(() => agent.close());

  const result = async (commands: unknown[], options?: Parameters<typeof execute>[2]) =>
    (await execute(agent, commands, options)).body.__mcd_result__;

  it('wraps the last command result with the trace id in body and header', async () => {
    // Act
    const response = await execute(agent, [
      { method: 'value', args: [1] },
      { method: 'value', args: ['last'] },
    ]);

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('x-mcd-trace-id')).toBe('trace-1');
    expect(response.body).toEqual({ __mcd_result__: 'last', __mcd_trace_id__: 'trace-1' });
  });

  it('calls extension methods before the wrapped client', async () => {
    await expect(result([{ method: 'version' }])).resolves.toBe('extension');
    await expect(result([{ method: 'hello', args: ['ada'] }])).resolves.toBe('hello ada');
  });

  it('falls back to the wrapped driver and returns properties as values', async () => {
    await expect(result([{ method: 'description' }])).resolves.toBe('a driver property');
  });

  it('chains next calls on each result (the seed README BigQuery example)', async () => {
    // Prepare
    const command = {
      method: 'projects',
      next: { method: 'list', kwargs: { maxResults: 100 }, next: { method: 'execute' } },
    };

    // Act / Assess
    await expect(result([command])).resolves.toEqual({ items: ['p1', 'p2'], options: { maxResults: 100 } });
  });

  it('stores results and targets them in later commands (the DB-API cursor sequence)', async () => {
    // Prepare
    const commands = [
      { method: 'cursor', store: 'cursor' },
      { target: 'cursor', method: 'execute', args: ['SELECT 1'] },
      { target: 'cursor', method: 'fetchall', store: 'rows' },
      { target: 'cursor', method: 'description', store: 'description' },
      { target: 'cursor', method: 'rowcount', store: 'rowcount' },
      {
        target: '__utils',
        method: 'build_dict',
        kwargs: {
          all_results: { __reference__: 'rows' },
          description: { __reference__: 'description' },
          rowcount: { __reference__: 'rowcount' },
        },
      },
    ];

    // Act / Assess
    await expect(result(commands)).resolves.toEqual({
      all_results: [
        [1, 'one'],
        [2, 'two'],
      ],
      description: [
        ['id', 23, null, 4, null, null, false],
        ['name', 25, null, -1, null, null, true],
      ],
      rowcount: 2,
    });
  });

  it('stores inside next chains', async () => {
    // Prepare
    const commands = [
      { method: 'cursor', store: 'c', next: { method: 'execute', args: ['q'], store: 'executed' } },
      { target: 'executed', method: 'rowcount' },
    ];

    // Act / Assess
    await expect(result(commands)).resolves.toBe(2);
  });

  it('awaits methods that return promises', async () => {
    await expect(result([{ method: 'later', args: ['resolved'] }])).resolves.toBe('resolved');
  });

  describe('keyword arguments', () => {
    it('maps kwargs onto declared parameter names, mixed with positional args', async () => {
      await expect(result([{ method: 'add', args: [2], kwargs: { b: 40 } }])).resolves.toBe(42);
      await expect(result([{ method: 'add', kwargs: { b: 1, a: 2 } }])).resolves.toBe(3);
    });

    it('collects undeclared kwargs into **kwargs', async () => {
      await expect(result([{ method: 'connect', args: ['db'], kwargs: { port: 5432, ssl: true } }])).resolves.toEqual({
        host: 'db',
        port: 5432,
        rest: { ssl: true },
      });
    });

    it('passes kwargs as one trailing options object when no names are declared', async () => {
      await expect(result([{ method: 'options', args: ['a'], kwargs: { limit: 5 } }])).resolves.toEqual({
        first: 'a',
        options: { limit: 5 },
      });
    });

    it('refuses an unexpected keyword and a doubly given argument, as Python does', async () => {
      // Act
      const unexpected = await execute(agent, [{ method: 'add', kwargs: { c: 1 } }]);
      const twice = await execute(agent, [{ method: 'add', args: [1], kwargs: { a: 2 } }]);

      // Assess
      expect(unexpected.body.__mcd_error__).toBe("add() got an unexpected keyword argument 'c'");
      expect(twice.body.__mcd_error__).toBe("add() got multiple values for argument 'a'");
    });
  });

  describe('argument decoding', () => {
    it('decodes __reference__, bytes, datetime, date and decimal recursively', async () => {
      // Prepare
      const commands = [
        { method: 'value', args: ['stored'], store: 'x' },
        {
          method: 'describe',
          args: [
            {
              ref: { __reference__: 'x' },
              nested: [{ __type__: 'bytes', __data__: Buffer.from('hi').toString('base64') }],
              when: { __type__: 'datetime', __data__: '2024-01-02T03:04:05+00:00' },
              day: { __type__: 'date', __data__: '2024-01-02' },
              amount: { __type__: 'decimal', __data__: '1.50' },
              other: { __type__: 'time', __data__: '01:02:03' },
            },
          ],
        },
      ];

      // Act
      const described = (await result(commands)) as { entries: Record<string, unknown> };

      // Assess
      expect(described.entries).toEqual({
        ref: { kind: 'string', value: 'stored' },
        nested: { kind: 'array', items: [{ kind: 'buffer', hex: '6869' }] },
        when: { kind: 'date', iso: '2024-01-02T03:04:05.000Z' },
        day: { kind: 'date', iso: '2024-01-02T00:00:00.000Z' },
        amount: { kind: 'string', value: '1.50' },
        other: {
          kind: 'object',
          proto: 'Object',
          entries: { __type__: { kind: 'string', value: 'time' }, __data__: { kind: 'string', value: '01:02:03' } },
        },
      });
    });

    it('evaluates call arguments, which may store', async () => {
      // Prepare
      const commands = [
        {
          method: 'add',
          args: [{ __type__: 'call', method: 'value', args: [40], store: 'forty' }, { __reference__: 'forty' }],
        },
      ];

      // Act / Assess
      await expect(result(commands)).resolves.toBe(80);
    });

    it('reports an unknown reference', async () => {
      // Act
      const response = await execute(agent, [{ method: 'value', args: [{ __reference__: 'nope' }] }]);

      // Assess
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ __mcd_error__: 'nope not found in context', __mcd_trace_id__: 'trace-1' });
    });

    it('rejects malformed bytes and datetimes with an envelope', async () => {
      // Act
      const bytes = await execute(agent, [{ method: 'value', args: [{ __type__: 'bytes', __data__: '%%%' }] }]);
      const date = await execute(agent, [{ method: 'value', args: [{ __type__: 'datetime', __data__: 'soon' }] }]);

      // Assess
      expect(bytes.body.__mcd_error__).toBe('bytes value: __data__ must be a base64 string');
      expect(date.body.__mcd_error__).toBe('datetime value: invalid ISO-8601 text in __data__');
    });
  });

  describe('deviations from Apollo (SPEC §3)', () => {
    it.each([
      [0, 0],
      [false, false],
      ['', ''],
      [[], []],
      [null, null],
    ])('returns the falsy result %p as it is', async (value, expected) => {
      await expect(result([{ method: 'value', args: [value] }])).resolves.toEqual(expected);
    });

    it('refuses a next call on a null result instead of redirecting to _client', async () => {
      // Act
      const response = await execute(agent, [{ method: 'nothing', next: { method: 'description' } }]);

      // Assess
      expect(response.body.__mcd_error__).toBe('Cannot call description on a null result');
    });
  });

  it('reports a driver error with the connector’s error type and attributes', async () => {
    // Act
    const response = await execute(agent, [{ method: 'fail', args: ['boom', 'E_BOOM'] }]);

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      __mcd_error__: 'boom',
      __mcd_exception__: 'SampleError: boom',
      __mcd_error_type__: 'E_BOOM',
      __mcd_error_attrs__: { code: 'E_BOOM' },
      __mcd_trace_id__: 'trace-1',
    });
    expect(response.body.__mcd_stack_trace__).toEqual(expect.arrayContaining([expect.stringMatching(/^at /)]));
  });

  it('reports a method that does not exist', async () => {
    // Act
    const response = await execute(agent, [{ method: 'missing' }]);

    // Assess
    expect(response.body).toMatchObject({ __mcd_error__: 'Failed to resolve method missing' });
  });

  it('reports an unknown connection type as an operation error with the trace id', async () => {
    // Act
    const response = await execute(agent, [{ method: 'x' }], { type: 'oracle9' });

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      __mcd_error__: 'Connection type not supported by this agent: oracle9',
      __mcd_trace_id__: 'trace-1',
    });
  });
});
