import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, SAMPLE_PLUGIN, startTestAgent, type TestAgent } from '../support/test-agent';

const bytes = (base64: string) => ({ __type__: 'bytes', __data__: base64 });
const call = (command: Record<string, unknown>) => ({ __type__: 'call', ...command });

/**
 * Issue 9 finding 1 and issue 10 finding 5: a `{"__type__": "call"}` value is a command, validated by the same schema
 * and counted by the same limits wherever it appears, before anything runs.
 */
describe('call values are commands (one schema, checked before anything runs)', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startTestAgent({ MCD_CONNECTOR_MODULES: SAMPLE_PLUGIN });
  });
  afterAll(() => agent.close());

  const badRequest = async (commands: unknown[], message: string) => {
    const before = agent.logs.length;
    const response = await execute(agent, commands);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      __mcd_error__: message,
      __mcd_exception__: `BadRequestError: ${message}`,
      __mcd_trace_id__: 'trace-1',
    });
    // Nothing ran: the operation was never announced, no client was asked for.
    expect(agent.logs.slice(before).map((record) => record.msg)).not.toContain('Executing operation: sample/test-op');
  };

  it('refuses the issue 9 proof: a next.method given as ["constructor"] inside a call value', async () => {
    // Prepare: today this called Array(5) through `[1, 2, 3]["constructor"]`.
    const commands = [
      { method: 'echo', args: [call({ method: 'arr', next: { method: ['constructor'], args: [5] } })] },
    ];

    // Act / Assess
    await badRequest(
      commands,
      'Invalid request: operation.commands.0.args.0.next.method: expected string, received array',
    );
  });

  it('checks kwargs that are themselves one call value, with scalar members only', async () => {
    // Prepare: the decoder runs such kwargs as a call; the shape walk must see it though nothing inside is an object.
    const commands = [{ method: 'echo', kwargs: call({ method: 7 }) }];

    // Act / Assess
    await badRequest(commands, 'Invalid request: operation.commands.0.kwargs.method: expected string, received number');
  });

  it('refuses the Buffer-pool leak: bytes.subarray()["constructor"](bytes.buffer)', async () => {
    // Prepare: Buffer(arrayBuffer) over the pool of a decoded `bytes` value answered the whole 8 KiB pool, other
    // requests' secrets included.
    const pool = call({ method: 'value', args: [bytes('aGk=')], next: { method: 'buffer' } });
    const leak = call({
      method: 'value',
      args: [bytes('aGk=')],
      next: { method: 'subarray', next: { method: ['constructor'], args: [pool] } },
    });

    // Act / Assess
    await badRequest(
      [{ method: 'value', args: [leak] }],
      'Invalid request: operation.commands.0.args.0.next.next.method: expected string, received array',
    );
  });

  it.each([
    [
      'a call value whose next is a string (issue 10 probe)',
      { method: 'echo', args: [call({ method: 'arr', next: 'oops' })] },
      'operation.commands.0.args.0.next: expected object, received string',
    ],
    [
      'a call value whose kwargs is a string (issue 10 probe)',
      { method: 'echo', args: [call({ method: 'value', kwargs: 'abc' })] },
      'operation.commands.0.args.0.kwargs: expected object',
    ],
    [
      'a call value whose args is an object',
      { method: 'echo', args: [call({ method: 'value', args: { 0: 1 } })] },
      'operation.commands.0.args.0.args: expected array, received object',
    ],
    [
      'a call value without a method',
      { method: 'echo', args: [call({ target: '_client' })] },
      'operation.commands.0.args.0.method is required',
    ],
    [
      'a call value with a numeric target',
      { method: 'echo', args: [call({ method: 'value', target: 7 })] },
      'operation.commands.0.args.0.target: expected string, received number',
    ],
    [
      'a call value in a kwargs value',
      { method: 'echo', kwargs: { x: call({ method: 5 }) } },
      'operation.commands.0.kwargs.x.method: expected string, received number',
    ],
    [
      'a call value nested in arrays and objects',
      { method: 'echo', args: [[{ nested: call({ method: 'value', args: 'x' }) }]] },
      'operation.commands.0.args.0.0.nested.args: expected array, received string',
    ],
    [
      'a call value inside a call value',
      { method: 'echo', args: [call({ method: 'value', args: [call({ method: 'value', store: 1 })] })] },
      'operation.commands.0.args.0.args.0.store: expected string, received number',
    ],
    [
      'a call value in the args of a next link',
      { method: 'projects', next: { method: 'list', args: [call({ method: null })] } },
      'operation.commands.0.next.args.0.method: expected string, received null',
    ],
    [
      'a call value in the kwargs of a call value’s next link',
      { method: 'echo', args: [call({ method: 'arr', next: { method: 'at', kwargs: { i: call({ method: [] }) } } })] },
      'operation.commands.0.args.0.next.kwargs.i.method: expected string, received array',
    ],
    [
      'a call value inside an unknown __type__ (decoded, so run)',
      { method: 'echo', args: [{ __type__: 'time', inner: call({ method: {} }) }] },
      'operation.commands.0.args.0.inner.method: expected string, received object',
    ],
  ])('answers 400 naming the path for %s', async (_what, command, message) => {
    await badRequest([command], `Invalid request: ${message}`);
  });

  it('leaves alone what is never run: objects inside a __reference__ or a typed value', async () => {
    // Prepare: the decoder returns the variable or the decoded value and never looks at the other keys.
    const commands = [
      { method: 'value', args: ['kept'], store: 'v' },
      {
        method: 'echo',
        args: [
          { __reference__: 'v', ignored: call({ method: 5 }) },
          { __type__: 'decimal', __data__: '1.5', ignored: call({ method: 5 }) },
        ],
      },
    ];

    // Act
    const response = await execute(agent, commands);

    // Assess
    expect(response.body).toEqual({ __mcd_result__: ['kept', '1.5'], __mcd_trace_id__: 'trace-1' });
  });

  it('still runs well-formed call values with their next chains and stores', async () => {
    // Prepare
    const commands = [
      { method: 'echo', args: [call({ method: 'arr', store: 'a', next: { method: 'at', args: [-1] } })] },
      { method: 'echo', args: [{ __reference__: 'a' }, call({ target: '__utils', method: 'build_dict', kwargs: {} })] },
    ];

    // Act
    const response = await execute(agent, commands);

    // Assess
    expect(response.body).toEqual({ __mcd_result__: [[1, 2, 3], {}], __mcd_trace_id__: 'trace-1' });
  });
});

describe('limits count call values (MCD_MAX_COMMANDS, MCD_MAX_CHAIN_DEPTH)', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startTestAgent({
      MCD_CONNECTOR_MODULES: SAMPLE_PLUGIN,
      MCD_MAX_COMMANDS: '3',
      MCD_MAX_CHAIN_DEPTH: '2',
    });
  });
  afterAll(() => agent.close());

  it('counts every call value as a command', async () => {
    // Prepare: one command, three call values (one of them nested): four commands.
    const commands = [
      {
        method: 'echo',
        args: [call({ method: 'arr' }), call({ method: 'value', args: [call({ method: 'arr' })] })],
      },
    ];

    // Act
    const response = await execute(agent, commands);

    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      __mcd_error__: 'Too many commands: 4 (limit 3)',
      __mcd_exception__: 'BadRequestError: Too many commands: 4 (limit 3)',
    });
  });

  it.each([
    [
      'a call value’s own next chain',
      {
        method: 'echo',
        args: [call({ method: 'arr', next: { method: 'at', args: [0], next: { method: 'toFixed' } } })],
      },
    ],
    [
      'call values nested in call values',
      {
        method: 'echo',
        args: [call({ method: 'value', args: [call({ method: 'value', args: [call({ method: 'arr' })] })] })],
      },
    ],
    [
      'a call value in a next link',
      {
        method: 'projects',
        next: { method: 'list', args: [call({ method: 'arr', next: { method: 'at', args: [0] } })] },
      },
    ],
  ])('counts %s against the chain depth', async (_what, command) => {
    // Act
    const response = await execute(agent, [command]);

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.__mcd_error__).toBe('operation.commands.0: chain of 3 nested calls exceeds the limit of 2');
  });

  it('accepts what is within both limits', async () => {
    // Prepare: three commands in all, depth 2 (a call value and its next link).
    const commands = [
      { method: 'echo', args: [call({ method: 'arr', next: { method: 'at', args: [0] } })] },
      { method: 'arr' },
    ];

    // Act
    const response = await execute(agent, commands);

    // Assess
    expect(response.body).toEqual({ __mcd_result__: [1, 2, 3], __mcd_trace_id__: 'trace-1' });
  });
});
