import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { EncodedArrayBuilder } from '../../src/encoding/encoded-array-builder';
import { encodeJson, encodeJsonChunks, gzipChunks } from '../../src/encoding/json-encoder';

const datetime = { __type__: 'datetime', __data__: '2024-01-02T03:04:05+00:00' };

function rows() {
  // Prepare: two batches, as a cursor appends them, with a value that needs the encoder.
  const builder = new EncodedArrayBuilder();
  builder.append([[1, 'a', new Date('2024-01-02T03:04:05Z')]]);
  builder.append([
    [2, 'b', 3n],
    [3, 'c', null],
  ]);
  return builder.finish();
}

describe('EncodedJson (rows encoded while they are fetched)', () => {
  it('encodes each batch with the one encoder into one JSON array', () => {
    // Act
    const encoded = rows();

    // Assess
    expect(encoded.length).toBe(3);
    expect(encoded.toValue()).toEqual([
      [1, 'a', datetime],
      [2, 'b', { __type__: 'decimal', __data__: '3' }],
      [3, 'c', null],
    ]);
  });

  it('is an empty array when nothing was appended', () => {
    expect(new EncodedArrayBuilder().finish().toValue()).toEqual([]);
  });

  it('is spliced into an envelope as its own bytes, never copied', () => {
    // Prepare
    const encoded = rows();

    // Act
    const { chunks, byteLength } = encodeJsonChunks({ __mcd_result__: { all_results: encoded, rowcount: 3 } });

    // Assess: the rows' chunks are in the answer as the very same Buffers.
    for (const chunk of encoded.chunks) expect(chunks).toContain(chunk);
    const text = Buffer.concat(chunks).toString('utf8');
    expect(byteLength).toBe(Buffer.byteLength(text));
    expect(JSON.parse(text)).toEqual({ __mcd_result__: { all_results: encoded.toValue(), rowcount: 3 } });
  });

  it('gives the same text as one string, and as gzip', async () => {
    // Prepare
    const envelope = { a: rows(), b: ['x', rows()] };

    // Act
    const text = encodeJson(envelope);
    const gzipped = await gzipChunks(encodeJsonChunks(envelope));

    // Assess
    const expected = { a: rows().toValue(), b: ['x', rows().toValue()] };
    expect(JSON.parse(text)).toEqual(expected);
    expect(JSON.parse(gunzipSync(gzipped).toString('utf8'))).toEqual(expected);
  });

  it('never takes a string of the data for where the encoded bytes go', () => {
    // Prepare: strings shaped like the marker the encoder uses (its random part cannot be guessed).
    const lookalikes = ['\u0000artemis-encoded-00000000-0000-0000-0000-000000000000-0', '"\u0000artemis-encoded-'];

    // Act
    const text = Buffer.concat(encodeJsonChunks({ rows: rows(), lookalikes }).chunks).toString('utf8');

    // Assess
    expect(JSON.parse(text)).toEqual({ rows: rows().toValue(), lookalikes });
  });
});
