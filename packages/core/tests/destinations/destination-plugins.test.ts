import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { startTestAgent } from '../../src/testing';
import { execute } from '../support/test-agent';
import {
  closeAfterEach,
  deliverAndWait,
  ndjson,
  range,
  seedPayload,
  startDeliveryWorld,
  startFileServer,
  submitDelivery,
  untilEnded,
  untilReported,
} from './support/delivery-fixtures';

/*
 * Destination plugins (issue 15): MCD_DESTINATION_MODULES, a `destinations` export beside `connectors`, the README's
 * example run for real, and plugins that cannot be used stopping start-up with a line that says why.
 */
const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
let scratch: string | undefined;

closeAfterEach();
afterEach(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = undefined;
});

describe('a destination exported beside connectors', () => {
  it('receives mapped batches (records mapped to undefined left out), and the module still serves its connector', async () => {
    // Prepare
    const module = join(FIXTURES, 'destination-plugin.mjs');
    const world = await startDeliveryWorld({ MCD_CONNECTOR_MODULES: module });
    const file = await startFileServer(ndjson(12));
    const { sent } = (await import(module)) as { sent: { batch: number; records: unknown[]; label: string }[] };
    sent.length = 0;
    // Act
    const accepted = await submitDelivery(world.agent, 'audit', seedPayload(world.mock, file.url, { settings: {} }));
    const status = await untilEnded(world.agent, accepted.body.job_id as string);
    const echoed = await execute(world.agent, [{ method: 'echo', args: ['still here'] }], { type: 'echo' });
    // Assess
    const kept = range(1, 12).filter((id) => id % 5 !== 0);
    expect(sent.map((entry) => entry.batch)).toEqual([1, 2, 3, 4]);
    expect(sent.flatMap((entry) => entry.records)).toEqual(kept.map((id) => ({ audited: id })));
    expect(sent[0]).toMatchObject({ label: 'test label', job: accepted.body.job_id });
    expect(status).toMatchObject({
      __mcd_result__: { state: 'succeeded', records_sent: 10, records_dropped: 2, batches_sent: 4 },
    });
    expect(echoed.body.__mcd_result__).toBe('still here');
  });
});

describe('a destination that never answers', () => {
  it('is given up on after the request timeout, attempt after attempt, and the batch fails', async () => {
    // Prepare
    const world = await startDeliveryWorld({
      MCD_CONNECTOR_MODULES: join(FIXTURES, 'destination-plugin.mjs'),
      MCD_DESTINATION_REQUEST_TIMEOUT_SECONDS: '1',
      MCD_DESTINATION_BATCH_RETRIES: '1',
      MCD_DESTINATION_MAX_FAILED_BATCHES: '0',
    });
    const file = await startFileServer(ndjson(5));
    // Act
    const { final } = await deliverAndWait(world, 'stuck', seedPayload(world.mock, file.url, { settings: {} }));
    // Assess
    expect(final).toMatchObject({
      state: 'failed',
      reason: 'batch 1, lines 1-5, 5 records: no answer within 1000 ms (after 2 attempts)',
    });
  });
});

describe('the README destination example', () => {
  it('delivers through MCD_DESTINATION_MODULES with its secret from MCD_DESTINATION_CREDENTIALS', async () => {
    // Prepare
    const readme = await readFile(new URL('../../../../README.md', import.meta.url), 'utf8');
    const block = /<!-- destination-example:start -->\n```js\n([\s\S]*?)```\n<!-- destination-example:end -->/.exec(
      readme,
    );
    if (!block?.[1]) throw new Error('README.md has no destination example block');
    scratch = await mkdtemp(join(tmpdir(), 'artemis-readme-'));
    const path = join(scratch, 'crm-destination.mjs');
    await writeFile(path, block[1]);
    const world = await startDeliveryWorld(
      {
        MCD_DESTINATION_MODULES: path,
        MCD_DESTINATION_CREDENTIALS: JSON.stringify({
          crm: { self_hosted_credentials_type: 'env_var', env_var_name: 'CRM_SECRET' },
        }),
      },
      { agent: { env: { CRM_SECRET: JSON.stringify({ api_key: 'crm-key-0f9e8d' }) } } },
    );
    const records = [
      { email: 'Ada@Example.com', name: 'Ada' },
      { name: 'no email' },
      { email: 'GRACE@example.com', name: 'Grace' },
    ];
    const file = await startFileServer(Buffer.from(`${records.map((record) => JSON.stringify(record)).join('\n')}\n`));
    // Act
    const accepted = await submitDelivery(
      world.agent,
      'crm',
      seedPayload(world.mock, file.url, { settings: { url: world.mock.destinationUrl } }),
    );
    const status = await untilEnded(world.agent, accepted.body.job_id as string);
    await untilReported(world.mock, 'wh-abcd12345');
    // Assess
    expect(world.mock.received).toEqual([
      { email: 'ada@example.com', name: 'Ada' },
      { email: 'grace@example.com', name: 'Grace' },
    ]);
    expect(world.mock.requests[0]?.headers['x-api-key']).toBe('crm-key-0f9e8d');
    expect(status).toMatchObject({ __mcd_result__: { state: 'succeeded', records_sent: 2, records_dropped: 1 } });
  });
});

describe('a destination plugin that cannot be used', () => {
  it('stops start-up with the reason', async () => {
    // Act
    const oversized = startTestAgent({ MCD_DESTINATION_MODULES: join(FIXTURES, 'bad-destination-plugin.mjs') });
    const missing = startTestAgent({ MCD_DESTINATION_MODULES: join(FIXTURES, 'schema-plugin.mjs') });
    // Assess
    await expect(oversized).rejects.toThrow(
      `Destination module ${join(FIXTURES, 'bad-destination-plugin.mjs')}: destinations.oversized must have a batchSize from 1 to 10000`,
    );
    await expect(missing).rejects.toThrow(
      `Destination module ${join(FIXTURES, 'schema-plugin.mjs')} must export "destinations": { [name]: destination }`,
    );
  });
});
