import { describe, expect, it } from '@jest/globals';
import { dataLocationOf } from '../../src/destinations/data-location';
import { BadRequestError } from '../../src/errors/agent-errors';

/*
 * Where a delivery reads its NDJSON (issue 15): an http(s) URL, or an object of the agent's own storage named by
 * s3:// / gs:// or a bare key; every other data_url is a 400 that says why, never a crash.
 */
const S3 = { type: 'S3', bucketName: 'artemis-bucket', prefix: 'mcd' } as const;
const GCS = { type: 'GCS', bucketName: 'artemis-bucket', prefix: 'mcd' } as const;

describe('dataLocationOf', () => {
  it.each([
    [
      'https://bucket.s3.amazonaws.com/x.ndjson?X-Amz-Signature=abc',
      S3,
      { kind: 'http', url: 'https://bucket.s3.amazonaws.com/x.ndjson?X-Amz-Signature=abc' },
    ],
    ['s3://artemis-bucket/mcd/exports/a.ndjson', S3, { kind: 'storage', key: 'exports/a.ndjson' }],
    ['gs://artemis-bucket/mcd/exports/a%20b.ndjson', GCS, { kind: 'storage', key: 'exports/a b.ndjson' }],
    ['exports/a.ndjson', S3, { kind: 'storage', key: 'exports/a.ndjson' }],
  ])('reads %s', (dataUrl, storage, expected) => {
    // Act
    const location = dataLocationOf(dataUrl, storage);
    // Assess
    expect(location).toEqual(expected);
  });

  it.each([
    [
      's3://artemis-bucket/mcd/%E0%A4%A.ndjson',
      S3,
      'Invalid request: data_url: the object name is not valid percent-encoding',
    ],
    [
      's3://other-bucket/mcd/a.ndjson',
      S3,
      "Invalid request: data_url: only the agent's bucket artemis-bucket can be read",
    ],
    [
      's3://artemis-bucket/elsewhere/a.ndjson',
      S3,
      "Invalid request: data_url: the object must be under the agent's prefix mcd/",
    ],
    ['gs://artemis-bucket/mcd/a.ndjson', S3, "Invalid request: data_url: gs:// needs the agent's storage to be GCS"],
    [
      'ftp://host/a.ndjson',
      S3,
      'Invalid request: data_url: unsupported scheme ftp (expected http, https, s3, gs or a storage key)',
    ],
    ['https://', S3, 'Invalid request: data_url: expected an absolute URL'],
  ])('refuses %s with a 400 that says why', (dataUrl, storage, message) => {
    // Act
    const read = () => dataLocationOf(dataUrl, storage);
    // Assess
    expect(read).toThrow(BadRequestError);
    expect(read).toThrow(message);
  });

  it.each([
    ['../../etc/passwd'],
    ['s3://artemis-bucket/mcd/../secrets.ndjson'],
    ['s3://artemis-bucket/mcd/%2e%2e/secrets.ndjson'],
  ])('refuses %s, a key that climbs out of the agent prefix', (dataUrl) => {
    // Act
    const read = () => dataLocationOf(dataUrl, S3);
    // Assess
    expect(read).toThrow(BadRequestError);
    expect(read).toThrow(/^Invalid request: data_url: /);
  });
});
