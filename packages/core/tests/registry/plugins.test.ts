import { describe, expect, it } from '@jest/globals';
import { createAgent } from '../../src/agent/create-agent';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/logging/logger';
import { execute, SAMPLE_PLUGIN, startTestAgent } from '../support/test-agent';

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url).pathname;
const quietAgent = (env: Record<string, string>, connectors = {}) =>
  createAgent({ config: loadConfig(env), logger: createLogger('silent'), connectors });

describe('connector plugins (MCD_CONNECTOR_MODULES)', () => {
  it('loads connectors from file paths and lists them as custom types', async () => {
    // Prepare
    const native = { zeta: async () => ({ create: () => ({}) }), alpha: async () => ({ create: () => ({}) }) };
    const agent = await startTestAgent(
      { MCD_CONNECTOR_MODULES: `${SAMPLE_PLUGIN}, ${fixture('schema-plugin.mjs')}` },
      { connectors: native },
    );

    // Act
    const response = await agent.post('/api/v1/agent/connectors/types', { trace_id: 'types-1' });
    const greeting = await execute(agent, [{ method: 'greet' }], { type: 'greeter', credentials: { name: 'ada' } });
    await agent.close();

    // Assess
    expect(response.status).toBe(200);
    await expect(response.json()).resolves.toEqual({
      __mcd_result__: {
        connector_types: {
          native: ['alpha', 'storage', 'zeta'],
          custom: [
            { type: 'greeter', name: 'greeter' },
            { type: 'sample', name: 'sample' },
          ],
        },
      },
      __mcd_trace_id__: 'types-1',
    });
    expect(greeting.body.__mcd_result__).toBe('hi from ada');
  });

  it('resolves relative module paths against the working directory', async () => {
    // Prepare
    const relative = `./${SAMPLE_PLUGIN.slice(process.cwd().length + 1)}`;
    const agent = quietAgent({ MCD_CONNECTOR_MODULES: relative });

    // Act / Assess
    await expect(agent.ready()).resolves.toBeUndefined();
    expect(agent.services.directory.types().custom).toEqual([{ type: 'sample', name: 'sample' }]);
    expect(agent.services.directory.moduleOf('sample')).toBe(relative);
  });

  it.each([
    ['a missing file', '/nonexistent/plugin.mjs', /^Cannot load connector module \/nonexistent\/plugin\.mjs: /],
    [
      'a module without connectors',
      fixture('bad-plugin.mjs'),
      /^Connector module .*bad-plugin\.mjs must export "connectors": \{ \[type\]: factory \}$/,
    ],
  ])('stops start-up with a clear error for %s', async (_what, path, message) => {
    // Prepare
    const agent = quietAgent({ MCD_CONNECTOR_MODULES: path });

    // Act / Assess
    await expect(agent.ready()).rejects.toThrow(message);
  });

  it('refuses a plugin that redefines a native connection type', async () => {
    // Prepare
    const agent = quietAgent(
      { MCD_CONNECTOR_MODULES: SAMPLE_PLUGIN },
      { sample: async () => ({ create: () => ({}) }) },
    );

    // Act / Assess
    await expect(agent.ready()).rejects.toThrow(/connection type sample is already defined$/);
  });

  it('reports the plugin failure on the execute route instead of crashing when not awaited at start-up', async () => {
    // Prepare
    const agent = quietAgent({ MCD_CONNECTOR_MODULES: '/nonexistent/plugin.mjs' });
    const body = Buffer.from(JSON.stringify({ operation: { trace_id: 't', commands: [] } }));

    // Act
    const response = await agent.handle({
      method: 'POST',
      path: '/api/v1/agent/execute/sample/op',
      query: {},
      headers: {},
      body,
    });

    // Assess
    expect(response.status).toBe(500);
    expect((response.body as Record<string, unknown>).__mcd_error__).toMatch(/^Cannot load connector module/);
  });
});
