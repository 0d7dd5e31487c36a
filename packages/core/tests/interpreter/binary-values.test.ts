import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ProxyClient } from '../../src/connectors/proxy-client';
import { ForbiddenError } from '../../src/errors/agent-errors';
import { decodeValue } from '../../src/interpreter/argument-decoding';
import { resolveMember } from '../../src/interpreter/member-resolution';
import { execute, SAMPLE_PLUGIN, startTestAgent, type TestAgent } from '../support/test-agent';

const POOLED_MEMBERS = ['buffer', 'byteOffset', 'parent', 'offset'];

/** Issue 9 finding 1: a binary value never exposes the memory around it (Node's 8 KiB Buffer pool). */
describe('binary values over HTTP', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startTestAgent({ MCD_CONNECTOR_MODULES: SAMPLE_PLUGIN });
  });
  afterAll(() => agent.close());

  it.each(POOLED_MEMBERS)('refuses %s on a decoded bytes argument and on a driver’s Buffer', async (name) => {
    // Prepare
    const decoded = { method: 'value', args: [{ __type__: 'bytes', __data__: 'aGk=' }], next: { method: name } };
    const returned = { method: 'bytes', next: { method: name } };

    // Act
    const responses = [await execute(agent, [decoded]), await execute(agent, [returned])];

    // Assess
    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        __mcd_error__: `Member ${name} refused on binary values`,
        __mcd_exception__: `ForbiddenError: Member ${name} refused on binary values`,
        __mcd_error_type__: 'Forbidden',
        __mcd_trace_id__: 'trace-1',
      });
    }
  });

  it('still serves the bytes themselves and their ordinary members', async () => {
    // Prepare
    const commands = [
      { method: 'value', args: [{ __type__: 'bytes', __data__: 'aGVsbG8=' }], store: 'b' },
      { target: 'b', method: 'subarray', args: [1, 3] },
    ];

    // Act
    const response = await agent.post('/api/v1/agent/execute/sample/op', {
      credentials: {},
      operation: { trace_id: 't', commands },
    });

    // Assess
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await response.arrayBuffer()).toString()).toBe('el');
  });
});

describe('binary values in the interpreter', () => {
  const client: ProxyClient = {};
  const scope = {
    lookup: () => undefined,
    call: async () => undefined,
  };

  it('decodes bytes into an unpooled copy that owns exactly its memory', async () => {
    // Act
    const decoded = (await decodeValue({ __type__: 'bytes', __data__: 'aGk=' }, scope)) as Buffer;

    // Assess
    expect(Buffer.isBuffer(decoded)).toBe(true);
    expect(decoded.toString()).toBe('hi');
    expect(decoded.byteOffset).toBe(0);
    expect(decoded.buffer.byteLength).toBe(2);
  });

  it.each([
    ['a Buffer', Buffer.from('pooled')],
    ['a Uint8Array', new Uint8Array(4)],
    ['a Float64Array', new Float64Array(2)],
    ['a DataView', new DataView(new ArrayBuffer(8))],
    ['an ArrayBuffer', new ArrayBuffer(8)],
    ['a SharedArrayBuffer', new SharedArrayBuffer(8)],
  ])('refuses the pool-revealing members of %s', (_what, value) => {
    for (const name of POOLED_MEMBERS) {
      expect(() => resolveMember(value, name, client)).toThrow(
        new ForbiddenError(`Member ${name} refused on binary values`),
      );
    }
  });

  it('resolves ordinary members of binary values', () => {
    // Act
    const member = resolveMember(new DataView(new ArrayBuffer(8)), 'byteLength', client);

    // Assess
    expect(member).toEqual({ kind: 'value', value: 8 });
  });
});
