import { describe, expect, it } from '@jest/globals';
import type { ProxyClient } from '../../src/connectors/proxy-client';
import { EncodedArrayBuilder } from '../../src/encoding/encoded-array-builder';
import { type EncodedJson, isEncodedJson } from '../../src/encoding/encoded-json';
import { executeCommands } from '../../src/interpreter/execute-commands';

/** A client whose `fetchall` answers rows already encoded, as the DB-API cursor does. */
function clientWithEncodedRows() {
  const received: unknown[] = [];
  const client = {
    fetchall(): EncodedJson {
      const builder = new EncodedArrayBuilder();
      builder.append([[1, new Date('2024-01-02T03:04:05Z')]]);
      return builder.finish();
    },
    keep(value: unknown) {
      received.push(value);
      return 'kept';
    },
  };
  return { client: client as unknown as ProxyClient, received };
}

const fetchAndStore = { method: 'fetchall', store: 'rows' };
const wireRows = [[1, { __type__: 'datetime', __data__: '2024-01-02T03:04:05+00:00' }]];

describe('pre-encoded results in the interpreter', () => {
  it('keeps them encoded through __utils.build_dict (on their way to the answer)', async () => {
    // Prepare
    const { client } = clientWithEncodedRows();

    // Act
    const result = (await executeCommands(
      [fetchAndStore, { target: '__utils', method: 'build_dict', kwargs: { all_results: { __reference__: 'rows' } } }],
      client,
    )) as { all_results: unknown };

    // Assess
    expect(isEncodedJson(result.all_results)).toBe(true);
  });

  it("hands a connector's method the list they stand for, in args and kwargs", async () => {
    // Prepare
    const { client, received } = clientWithEncodedRows();

    // Act
    await executeCommands(
      [
        fetchAndStore,
        { method: 'keep', args: [{ __reference__: 'rows' }] },
        { method: 'keep', args: [[{ nested: { __reference__: 'rows' } }]] },
      ],
      client,
    );

    // Assess
    expect(received).toEqual([wireRows, [{ nested: wireRows }]]);
  });

  it('calls a method on them as on the list', async () => {
    // Prepare
    const { client } = clientWithEncodedRows();

    // Act
    const result = await executeCommands([fetchAndStore, { target: 'rows', method: 'length' }], client);

    // Assess
    expect(result).toBe(1);
  });
});
