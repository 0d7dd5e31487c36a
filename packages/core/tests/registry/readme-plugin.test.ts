import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, startTestAgent, type TestAgent } from '../support/test-agent';

/** The plugin example in README.md is real code: extract it, load it as MCD_CONNECTOR_MODULES, run it. */
describe('the README plugin example', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    const readme = await readFile(new URL('../../../../README.md', import.meta.url), 'utf8');
    const block = /<!-- plugin-example:start -->\n```js\n([\s\S]*?)```\n<!-- plugin-example:end -->/.exec(readme);
    if (!block?.[1]) throw new Error('README.md has no plugin example block');
    const path = join(await mkdtemp(join(tmpdir(), 'artemis-readme-')), 'inventory-connector.mjs');
    await writeFile(path, block[1]);
    agent = await startTestAgent({ MCD_CONNECTOR_MODULES: path });
  });
  afterAll(() => agent.close());

  it('answers the README curl example', async () => {
    // Act
    const response = await execute(agent, [{ method: 'restock', kwargs: { sku: 'apple', quantity: 2 } }], {
      type: 'inventory',
      credentials: { initial_stock: { apple: 3 } },
    });

    // Assess
    expect(response.body).toEqual({ __mcd_result__: 5, __mcd_trace_id__: 'trace-1' });
  });

  it('resolves the wrapped client after the extensions', async () => {
    // Act
    const response = await execute(agent, [{ method: 'skus' }], {
      type: 'inventory',
      credentials: { initial_stock: { pear: 1, apple: 3 } },
    });

    // Assess
    expect(response.body.__mcd_result__).toEqual(['apple', 'pear']);
  });

  it('calls the methods of the proxy-client class, then its wrapped client', async () => {
    // Act
    const count = await execute(agent, [{ method: 'count', args: ['apple'] }], {
      type: 'warehouse',
      credentials: { initial_stock: { apple: 3 } },
    });
    const skus = await execute(agent, [{ method: 'skus' }], {
      type: 'warehouse',
      credentials: { initial_stock: { pear: 1, apple: 3 } },
    });
    const hook = await execute(agent, [{ method: 'close' }], { type: 'warehouse', credentials: {} });

    // Assess
    expect(count.body.__mcd_result__).toBe(3);
    expect(skus.body.__mcd_result__).toEqual(['apple', 'pear']);
    expect(hook.body.__mcd_error__).toBe('Method refused: close is a proxy-client lifecycle hook');
  });
});
