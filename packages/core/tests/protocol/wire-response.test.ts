import { Readable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { toWireResponse } from '../../src/protocol/wire-response';

/* The one response → bytes rule every adapter (node:http, Lambda, Azure) sends through. */
describe('toWireResponse', () => {
  it('encodes a JSON value with the core encoder as application/json text', () => {
    // Act
    const wire = toWireResponse({ status: 200, headers: { 'x-mcd-trace-id': 't' }, body: { n: 1n, at: new Date(0) } });

    // Assess
    expect(wire).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json', 'x-mcd-trace-id': 't' },
      body: '{"n":{"__type__":"decimal","__data__":"1"},"at":{"__type__":"datetime","__data__":"1970-01-01T00:00:00+00:00"}}',
    });
  });

  it('sends bytes as they are, application/octet-stream unless the core typed them', () => {
    // Prepare
    const bytes = new Uint8Array([0, 1, 255]);

    // Act
    const untyped = toWireResponse({ status: 200, headers: {}, body: bytes });
    const gzip = toWireResponse({
      status: 200,
      headers: { 'content-type': 'application/gzip' },
      body: Buffer.from('x'),
    });

    // Assess
    expect(untyped.headers).toEqual({ 'content-type': 'application/octet-stream' });
    expect(Buffer.isBuffer(untyped.body) && [...untyped.body]).toEqual([0, 1, 255]);
    expect(gzip.headers).toEqual({ 'content-type': 'application/gzip' });
  });

  it('hands a stream on unread, application/octet-stream by default', () => {
    // Prepare
    const stream = Readable.from([Buffer.from('chunk')]);

    // Act
    const wire = toWireResponse({ status: 200, headers: {}, body: stream });

    // Assess
    expect(wire.body).toBe(stream);
    expect(wire.headers).toEqual({ 'content-type': 'application/octet-stream' });
  });

  it('gives each answer its own header object, so an adapter may add to it', () => {
    // Prepare
    const headers = { 'x-mcd-trace-id': 't' };

    // Act
    const wire = toWireResponse({ status: 200, headers, body: null });
    wire.headers['content-length'] = '4';

    // Assess
    expect(headers).toEqual({ 'x-mcd-trace-id': 't' });
    expect(wire.body).toBe('null');
  });
});
