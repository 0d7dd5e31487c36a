import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { nativeConnectors } from '../../src/native-catalog';
import { startConnectorsAgent, type TestAgent } from '../support/connectors-agent';

/** Apollo's native types this agent serves (inventory §5.1), by wave: a type added to the catalog is listed. */
const SERVED = [
  'athena',
  'bigquery',
  'databricks',
  'databricks-rest',
  'glue',
  'http',
  'mysql',
  'postgres',
  'presto',
  'redshift',
  's3',
  'snowflake',
  'starburst-enterprise',
  'starburst-galaxy',
];

describe('the connector-types route lists the native catalog', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startConnectorsAgent();
  });
  afterAll(() => agent.close());

  it('lists every native type of the catalog, and storage, sorted, under native', async () => {
    // Act
    const response = await agent.post('/api/v1/agent/connectors/types', { trace_id: 'types' });

    // Assess
    const body = (await response.json()) as { __mcd_result__: { connector_types: { native: string[] } } };
    const { native } = body.__mcd_result__.connector_types;
    expect(native).toEqual([...Object.keys(nativeConnectors), 'storage'].sort());
    expect(Object.keys(nativeConnectors).sort()).toEqual(SERVED);
  });

  it('loads every native connector module, each with a factory and a default credential pipeline', async () => {
    // Act: one after the other (jest's ESM loader fails on concurrent imports sharing a module)
    const modules = [];
    for (const [type, load] of Object.entries(nativeConnectors)) modules.push([type, await load()] as const);

    // Assess
    for (const [type, module] of modules) {
      expect([type, typeof module.create]).toEqual([type, 'function']);
      expect([type, typeof module.credentialPipeline?.config]).toEqual([type, 'object']);
    }
  });
});
