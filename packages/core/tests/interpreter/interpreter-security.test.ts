import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, SAMPLE_PLUGIN, startTestAgent, type TestAgent } from '../support/test-agent';

/** SPEC §3.1: the control plane may operate data sources, never run code on the agent. */
describe('interpreter refusals (SPEC §3.1)', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startTestAgent({ MCD_CONNECTOR_MODULES: SAMPLE_PLUGIN });
  });
  afterAll(() => agent.close());

  const refusal = async (commands: unknown[]) => {
    const response = await execute(agent, commands);
    expect(response.status).toBe(200);
    expect(response.body.__mcd_error_type__).toBe('Forbidden');
    expect(response.body.__mcd_trace_id__).toBe('trace-1');
    expect(response.body).not.toHaveProperty('__mcd_result__');
    return response.body.__mcd_error__;
  };

  it.each(['constructor', 'prototype', 'call', 'apply', 'bind', 'eval', 'toString', 'valueOf', 'then'])(
    'refuses the method name %s',
    async (name) => {
      await expect(refusal([{ method: name }])).resolves.toBe(`Method refused: ${name}`);
    },
  );

  it.each(['_private', '__proto__', '__class__', '1abc', 'a-b', 'a.b', 'a b', '', 'ünïcode', 'x\u0000'])(
    'refuses the malformed method name %j',
    async (name) => {
      await expect(refusal([{ method: name }])).resolves.toBe(`Method name refused: ${JSON.stringify(name)}`);
    },
  );

  it('refuses constructor chains that try to reach Function', async () => {
    // Prepare: description → String → constructor → ("return process")
    const chain = { method: 'description', next: { method: 'constructor', next: { method: 'constructor' } } };

    // Act / Assess
    await expect(refusal([chain])).resolves.toBe('Method refused: constructor');
  });

  it('refuses toString tricks on stored values', async () => {
    // Prepare
    const commands = [
      { method: 'cursor', store: 'c' },
      { target: 'c', method: 'execute', args: ['q'], next: { method: 'toString' } },
    ];

    // Act / Assess
    await expect(refusal(commands)).resolves.toBe('Method refused: toString');
  });

  it.each(['hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString'])(
    'never resolves Object.prototype members such as %s',
    async (name) => {
      // Act
      const response = await execute(agent, [{ method: 'projects', next: { method: name } }]);

      // Assess
      expect(response.body.__mcd_error__).toBe(`Failed to resolve method ${name} on Object`);
    },
  );

  it('never returns a function value to the control plane', async () => {
    await expect(refusal([{ method: 'makeFunction' }])).resolves.toBe('Method makeFunction returned a function');
  });

  it.each(['_client', '__utils', '__proto__', 'constructor', 'prototype', '1x', 'a-b'])(
    'refuses to store into %j',
    async (name) => {
      await expect(refusal([{ method: 'value', args: [1], store: name }])).resolves.toBe(
        `Variable name refused for store: ${JSON.stringify(name)}`,
      );
    },
  );

  it.each(['process', 'globalThis', 'require', 'constructor', '__proto__', 'toString'])(
    'resolves only context variables: target %s is unknown',
    async (name) => {
      // Act
      const asTarget = await execute(agent, [{ target: name, method: 'value' }]);
      const asReference = await execute(agent, [{ method: 'value', args: [{ __reference__: name }] }]);

      // Assess
      expect(asTarget.body.__mcd_error__).toBe(`${name} not found in context`);
      expect(asReference.body.__mcd_error__).toBe(`${name} not found in context`);
    },
  );

  it('keeps a __proto__ key in arguments an own property and pollutes nothing', async () => {
    // Prepare
    const payload = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');

    // Act
    const response = await execute(agent, [{ method: 'describe', args: [{ x: { __reference__: 'ignored' } }] }]);
    const echoed = await execute(agent, [
      { method: 'value', args: ['r'], store: 'r' },
      { method: 'echo', args: [{ ...payload, ref: { __reference__: 'r' } }], kwargs: payload },
    ]);

    // Assess
    expect(response.body.__mcd_error__).toBe('ignored not found in context');
    expect(echoed.body.__mcd_result__).toEqual([
      JSON.parse('{"__proto__": {"polluted": true}, "a": 1, "ref": "r"}'),
      JSON.parse('{"__proto__": {"polluted": true}, "a": 1}'),
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('cannot reach the file system: no variable, member or argument leads to fs or process', async () => {
    // Prepare: the only names a command can start from are _client, __utils and stored results.
    const commands = [
      { target: '__utils', method: 'build_dict', next: { method: 'constructor' } },
      { method: 'readFileSync', args: ['/etc/passwd'] },
    ];

    // Act
    const first = await execute(agent, [commands[0]]);
    const second = await execute(agent, [commands[1]]);

    // Assess
    expect(first.body).toMatchObject({ __mcd_error__: 'Method refused: constructor', __mcd_error_type__: 'Forbidden' });
    expect(second.body).toMatchObject({ __mcd_error__: 'Failed to resolve method readFileSync' });
  });
});
