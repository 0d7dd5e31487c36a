import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, startTestAgent, type TestAgent } from '../support/test-agent';

const PLUGIN = new URL('../fixtures/apollo-style-plugin.mjs', import.meta.url).pathname;

/**
 * Apollo's connector pattern (seed 000, "Adding new integrations"): methods are searched first on the proxy-client
 * class, then on the wrapped client. Every command form reaches the class's methods; lifecycle hooks never.
 */
describe('proxy-client members on _client', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startTestAgent({ MCD_CONNECTOR_MODULES: PLUGIN });
  });
  afterAll(() => agent.close());

  const run = (commands: unknown[], type = 'apollo_style') =>
    execute(agent, commands, { type, credentials: { password: 'pw-not-for-commands' } });
  const result = async (commands: unknown[], type?: string) => (await run(commands, type)).body.__mcd_result__;

  it('calls a method the client class defines (direct command)', async () => {
    await expect(result([{ method: 'execute_and_fetch', args: ['SELECT 1'] }])).resolves.toEqual([[8, 'SELECT 1']]);
  });

  it('calls a method the class inherits, and returns a public field as a value', async () => {
    await expect(result([{ method: 'ping' }])).resolves.toBe('pong');
    await expect(result([{ method: 'label' }])).resolves.toBe('sample');
  });

  it('falls back to the wrapped client for what the class does not define (next chain)', async () => {
    // Act / Assess
    await expect(result([{ method: 'execute', args: ['q'], next: { method: 'fetch_results' } }])).resolves.toEqual([
      [1, 'q'],
    ]);
  });

  it('resolves the class methods on a next link whose receiver is the client', async () => {
    await expect(result([{ method: 'self', next: { method: 'greet', args: ['ada'] } }])).resolves.toBe('hello ada');
  });

  it('stores results and passes them by __reference__', async () => {
    // Prepare
    const commands = [
      { method: 'execute_and_fetch', args: ['abc'], store: 'rows' },
      { method: 'describe_rows', args: [{ __reference__: 'rows' }] },
    ];

    // Act / Assess
    await expect(result(commands)).resolves.toEqual({ count: 1, first: [3, 'abc'] });
  });

  it('targets a stored reference to the client, with keyword arguments mapped by name', async () => {
    // Prepare
    const commands = [
      { method: 'self', store: 'c' },
      { target: 'c', method: 'greet', kwargs: { greeting: 'hi', name: 'bob' } },
    ];

    // Act / Assess
    await expect(result(commands)).resolves.toBe('hi bob');
  });

  it('evaluates call-expression arguments against the class methods', async () => {
    // Prepare
    const call = { __type__: 'call', method: 'execute_and_fetch', args: ['xy'] };

    // Act / Assess
    await expect(result([{ method: 'describe_rows', args: [call] }])).resolves.toEqual({
      count: 1,
      first: [2, 'xy'],
    });
  });

  it('resolves class members before extensions, and extensions before the wrapped client', async () => {
    await expect(result([{ method: 'ping' }], 'apollo_mixed')).resolves.toBe('pong');
    await expect(result([{ method: 'only_extension' }], 'apollo_mixed')).resolves.toBe('from extensions');
    await expect(result([{ method: 'fetch_results' }], 'apollo_mixed')).resolves.toEqual([]);
  });

  it.each([
    'processResult',
    'errorType',
    'errorAttrs',
    'endOperation',
    'resolveExtension',
    'extensions',
    'wrappedClient',
  ])('refuses the lifecycle hook %s, directly and through a stored reference to the client', async (hook) => {
    // Act
    const direct = await run([{ method: hook }]);
    const stored = await run([
      { method: 'self', store: 'c' },
      { target: 'c', method: hook },
    ]);

    // Assess
    for (const response of [direct, stored]) {
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        __mcd_error__: `Method refused: ${hook} is a proxy-client lifecycle hook`,
        __mcd_exception__: `ForbiddenError: Method refused: ${hook} is a proxy-client lifecycle hook`,
        __mcd_stack_trace__: expect.any(Array),
        __mcd_error_type__: 'Forbidden',
        __mcd_trace_id__: 'trace-1',
      });
    }
  });

  it("never calls the client's close hook: close reaches the wrapped driver's own close", async () => {
    await expect(result([{ method: 'close' }])).resolves.toBe('driver closed');
  });

  it('never reaches private fields or Object.prototype members', async () => {
    // Act
    const secret = await run([{ method: 'secret' }]);
    const inherited = await run([{ method: 'hasOwnProperty', args: ['label'] }]);

    // Assess
    expect(secret.body.__mcd_error__).toBe('Failed to resolve method secret');
    expect(inherited.body.__mcd_error__).toBe('Failed to resolve method hasOwnProperty');
    expect(JSON.stringify([secret.body, inherited.body])).not.toContain('pw-not-for-commands');
  });
});
