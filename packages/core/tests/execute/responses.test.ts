import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, operation, SAMPLE_PLUGIN, startTestAgent, type TestAgent } from '../support/test-agent';

describe('responses and envelopes (SPEC §4)', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startTestAgent({ MCD_CONNECTOR_MODULES: SAMPLE_PLUGIN });
  });
  afterAll(() => agent.close());

  it('encodes every special value with the one encoder', async () => {
    // Act
    const response = await execute(agent, [{ method: 'typed' }]);

    // Assess
    expect(response.body.__mcd_result__).toEqual({
      when: { __type__: 'datetime', __data__: '2024-01-02T03:04:05+00:00' },
      whenMs: { __type__: 'datetime', __data__: '2024-01-02T03:04:05.123+00:00' },
      raw: { __type__: 'bytes', __data__: 'aGk=' },
      big: { __type__: 'decimal', __data__: '12345678901234567890' },
      nan: { __type__: 'float', __data__: 'NaN' },
      inf: { __type__: 'float', __data__: 'Infinity' },
      ninf: { __type__: 'float', __data__: '-Infinity' },
      map: { k: 1 },
      set: [1, 2],
      missing: null,
    });
  });

  it('sends a binary result raw, with the trace header', async () => {
    // Act
    const response = await agent.post('/api/v1/agent/execute/sample/read', operation([{ method: 'bytes' }]));

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('x-mcd-trace-id')).toBe('trace-1');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from([0x1f, 0x8b, 0xff, 0x00]));
  });

  it('streams a Readable result', async () => {
    // Act
    const response = await agent.post('/api/v1/agent/execute/sample/read', operation([{ method: 'stream' }]));

    // Assess
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    await expect(response.text()).resolves.toBe('chunk-1;chunk-2');
  });

  it('gzips the envelope above compress_response_threshold_bytes', async () => {
    // Prepare
    const body = operation([{ method: 'big', args: [1000] }], { compress_response_threshold_bytes: 100 });

    // Act
    const response = await agent.post('/api/v1/agent/execute/sample/big', body);

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/gzip');
    expect(response.headers.get('x-mcd-trace-id')).toBe('trace-1');
    const envelope = JSON.parse(gunzipSync(Buffer.from(await response.arrayBuffer())).toString('utf8'));
    expect(envelope).toEqual({ __mcd_result__: 'x'.repeat(1000), __mcd_trace_id__: 'trace-1' });
  });

  it('keeps a response at or below the threshold inline (size of the compact envelope)', async () => {
    // Prepare: {"__mcd_result__":"xxxxxxxxxx","__mcd_trace_id__":"trace-1"} is 60 bytes.
    const body = operation([{ method: 'big', args: [10] }], { compress_response_threshold_bytes: 60 });

    // Act
    const response = await agent.post('/api/v1/agent/execute/sample/big', body);

    // Assess
    expect(response.headers.get('content-type')).toBe('application/json');
    await expect(response.json()).resolves.toEqual({ __mcd_result__: 'x'.repeat(10), __mcd_trace_id__: 'trace-1' });
  });

  it('turns an unserialisable (circular) result into an error envelope', async () => {
    // Act
    const response = await execute(agent, [{ method: 'circular' }]);

    // Assess
    expect(response.status).toBe(200);
    expect(response.body.__mcd_error__).toMatch(/circular/i);
    expect(response.body.__mcd_trace_id__).toBe('trace-1');
  });

  describe('request validation: HTTP 400 naming the field', () => {
    it.each([
      ['a missing operation', { credentials: {} }, 'Invalid request: operation is required'],
      ['a missing trace_id', { operation: { commands: [] } }, 'Invalid request: operation.trace_id is required'],
      [
        'a trace_id of the wrong type',
        { operation: { trace_id: true, commands: [] } },
        'Invalid request: operation.trace_id: expected string or number',
      ],
      ['missing commands', { operation: { trace_id: 't' } }, 'Invalid request: operation.commands is required'],
      [
        'a method of the wrong type',
        { operation: { trace_id: 't', commands: [{ method: 5 }] } },
        'Invalid request: operation.commands.0.method: expected string, received number',
      ],
      [
        'a nested next without a method',
        { operation: { trace_id: 't', commands: [{ method: 'a', next: { args: [] } }] } },
        'Invalid request: operation.commands.0.next.method is required',
      ],
      [
        'args that are not a list',
        { operation: { trace_id: 't', commands: [{ method: 'a', args: 'x' }] } },
        'Invalid request: operation.commands.0.args: expected array, received string',
      ],
      [
        'kwargs that are not an object',
        { operation: { trace_id: 't', commands: [{ method: 'a', kwargs: [1] }] } },
        'Invalid request: operation.commands.0.kwargs: expected object',
      ],
      [
        'an unknown response_type',
        { operation: { trace_id: 't', commands: [], response_type: 'xml' } },
        'Invalid request: operation.response_type: expected one of "json", "url"',
      ],
      [
        'a negative size limit',
        { operation: { trace_id: 't', commands: [], response_size_limit_bytes: -1 } },
        'Invalid request: operation.response_size_limit_bytes: expected a non-negative integer',
      ],
      [
        'credentials that are not an object',
        { credentials: 'secret', operation: { trace_id: 't', commands: [] } },
        'Invalid request: credentials: expected object',
      ],
      ['a body that is not an object', [1, 2], 'Invalid request: expected object, received array'],
    ])('rejects %s', async (_what, body, message) => {
      // Act
      const response = await agent.post('/api/v1/agent/execute/sample/op', body);

      // Assess
      expect(response.status).toBe(400);
      const envelope = (await response.json()) as Record<string, unknown>;
      expect(envelope.__mcd_error__).toBe(message);
      expect(envelope.__mcd_exception__).toBe(`BadRequestError: ${message}`);
      expect(Array.isArray(envelope.__mcd_stack_trace__)).toBe(true);
    });

    it('echoes the trace id of an invalid operation when it has one', async () => {
      // Act
      const response = await agent.post('/api/v1/agent/execute/sample/op', {
        operation: { trace_id: 'traced', commands: 'nope' },
      });

      // Assess
      expect(response.status).toBe(400);
      expect(response.headers.get('x-mcd-trace-id')).toBe('traced');
      await expect(response.json()).resolves.toMatchObject({ __mcd_trace_id__: 'traced' });
    });

    it('accepts Python nulls for optional fields and coerces numeric trace ids and size strings', async () => {
      // Prepare
      const body = {
        credentials: null,
        operation: {
          trace_id: 123,
          commands: [{ method: 'value', args: [7], kwargs: null, target: null, store: null, next: null }],
          skip_cache: null,
          response_size_limit_bytes: '0',
        },
      };

      // Act
      const response = await agent.post('/api/v1/agent/execute/sample/op', body);

      // Assess
      await expect(response.json()).resolves.toEqual({ __mcd_result__: 7, __mcd_trace_id__: '123' });
    });
  });

  describe('limits', () => {
    it('refuses more than MCD_MAX_COMMANDS commands with a 400', async () => {
      // Prepare
      const commands = Array.from({ length: 1001 }, () => ({ method: 'value', args: [1] }));

      // Act
      const response = await agent.post('/api/v1/agent/execute/sample/op', operation(commands));

      // Assess
      expect(response.status).toBe(400);
      await expect(response.json()).resolves.toMatchObject({
        __mcd_error__: 'Too many commands: 1001 (limit 1000)',
        __mcd_trace_id__: 'trace-1',
      });
    });

    it('refuses a next chain deeper than MCD_MAX_CHAIN_DEPTH with a 400', async () => {
      // Prepare
      let chain: Record<string, unknown> = { method: 'value' };
      for (let i = 0; i < 65; i++) chain = { method: 'value', next: chain };

      // Act
      const response = await agent.post('/api/v1/agent/execute/sample/op', operation([chain]));

      // Assess
      expect(response.status).toBe(400);
      await expect(response.json()).resolves.toMatchObject({
        __mcd_error__: 'operation.commands.0: chain of 65 nested calls exceeds the limit of 64',
      });
    });
  });
});

describe('operation timeout', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startTestAgent({ MCD_CONNECTOR_MODULES: SAMPLE_PLUGIN, MCD_OPERATION_TIMEOUT_SECONDS: '1' });
  });
  afterAll(() => agent.close());

  it('answers a Timeout envelope when the operation outlives MCD_OPERATION_TIMEOUT_SECONDS', async () => {
    // Act
    const response = await execute(agent, [{ method: 'slow', args: [1200] }]);

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      __mcd_error__: 'Operation timed out after 1 seconds',
      __mcd_exception__: 'OperationTimeoutError: Operation timed out after 1 seconds',
      __mcd_error_type__: 'Timeout',
      __mcd_trace_id__: 'trace-1',
    });
  });
});
