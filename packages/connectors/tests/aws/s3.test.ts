import { gunzipSync } from 'node:zlib';
import { itInPrivateNetwork } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, startConnectorsAgent, type TestAgent } from '../support/connectors-agent';
import { type S3rverProcess, startS3rver } from '../support/s3rver-process';

const BUCKET = 'data-bucket';

describe('s3 connector against s3rver', () => {
  let agent: TestAgent;
  let s3rver: S3rverProcess;
  let credentials: Record<string, unknown>;

  beforeAll(async () => {
    s3rver = await startS3rver([BUCKET]);
    credentials = {
      endpoint_url: s3rver.endpoint,
      aws_access_key_id: 'S3RVER',
      aws_secret_access_key: 'S3RVER',
      aws_region: 'us-east-1',
    };
    agent = await startConnectorsAgent();
  });

  afterAll(async () => {
    await agent.close();
    await s3rver.close();
  });

  const s3 = (commands: unknown[]) => execute(agent, 's3', commands, credentials);

  it('put_object then get_object: the Body comes back as Apollo encoded a StreamingBody', async () => {
    // Prepare
    await s3([{ method: 'put_object', kwargs: { Bucket: BUCKET, Key: 'greeting.txt', Body: 'hello, s3' } }]);

    // Act
    const answer = await s3([{ method: 'get_object', kwargs: { Bucket: BUCKET, Key: 'greeting.txt' } }]);

    // Assess
    const result = answer.__mcd_result__ as Record<string, unknown>;
    const body = result.Body as { __type__: string; __data__: string };
    expect(body.__type__).toBe('StreamingBody;gzip/base64');
    expect(gunzipSync(Buffer.from(body.__data__, 'base64')).toString('utf8')).toBe('hello, s3');
    expect(result).toMatchObject({
      ContentLength: 9,
      ETag: expect.any(String),
      LastModified: { __type__: 'datetime', __data__: expect.stringMatching(/\+00:00$/) },
      ResponseMetadata: { HTTPStatusCode: 200, RetryAttempts: 0 },
    });
    expect(result).not.toHaveProperty('$metadata');
  });

  it('put_object answers boto3 keys; bytes arguments are sent as bytes', async () => {
    // Prepare
    const bytes = Buffer.from([0, 1, 2, 250, 255]);

    // Act
    const put = await s3([
      {
        method: 'put_object',
        kwargs: { Bucket: BUCKET, Key: 'raw.bin', Body: { __type__: 'bytes', __data__: bytes.toString('base64') } },
      },
    ]);
    const head = await s3([{ method: 'head_object', kwargs: { Bucket: BUCKET, Key: 'raw.bin' } }]);

    // Assess
    expect(put.__mcd_result__).toEqual({
      ETag: expect.any(String),
      ResponseMetadata: { HTTPStatusCode: 200, RetryAttempts: 0 },
    });
    expect(head.__mcd_result__).toMatchObject({
      ContentLength: 5,
      ETag: (put.__mcd_result__ as { ETag: string }).ETag,
    });
  });

  it('head_object of a missing key is a botocore-style ClientError', async () => {
    // Act
    const answer = await s3([{ method: 'head_object', kwargs: { Bucket: BUCKET, Key: 'nope' } }]);

    // Assess
    expect(answer).toEqual({
      __mcd_error__: 'An error occurred (404) when calling the HeadObject operation: Not Found',
      __mcd_exception__: 'ClientError: An error occurred (404) when calling the HeadObject operation: Not Found',
      __mcd_stack_trace__: expect.any(Array),
      __mcd_trace_id__: 'trace-1',
    });
  });

  it('get_object of a missing key names the error code', async () => {
    // Act
    const answer = await s3([{ method: 'get_object', kwargs: { Bucket: BUCKET, Key: 'nope' } }]);

    // Assess
    expect(answer.__mcd_error__).toBe(
      'An error occurred (NoSuchKey) when calling the GetObject operation: The specified key does not exist.',
    );
  });

  describe('listing', () => {
    beforeAll(async () => {
      const puts = ['a', 'b', 'c', 'd', 'e'].map((name) => ({
        method: 'put_object',
        kwargs: { Bucket: BUCKET, Key: `list/${name}.csv`, Body: name },
      }));
      await s3(puts);
    });

    it('list_objects_v2 answers Contents with boto3 keys', async () => {
      // Act
      const answer = await s3([{ method: 'list_objects_v2', kwargs: { Bucket: BUCKET, Prefix: 'list/', MaxKeys: 2 } }]);

      // Assess
      const result = answer.__mcd_result__ as Record<string, unknown>;
      expect(result).toMatchObject({ IsTruncated: true, KeyCount: 2, Name: BUCKET, Prefix: 'list/', MaxKeys: 2 });
      expect((result.Contents as { Key: string }[]).map((item) => item.Key)).toEqual(['list/a.csv', 'list/b.csv']);
      expect(result.NextContinuationToken).toEqual(expect.any(String));
    });

    it('get_paginator(...).paginate(...).build_full_result() merges every page', async () => {
      // Act
      const answer = await s3([
        {
          method: 'get_paginator',
          args: ['list_objects_v2'],
          next: {
            method: 'paginate',
            kwargs: { Bucket: BUCKET, Prefix: 'list/', PaginationConfig: { PageSize: 2 } },
            next: { method: 'build_full_result' },
          },
        },
      ]);

      // Assess
      const result = answer.__mcd_result__ as { Contents: { Key: string; Size: number }[] };
      expect(Object.keys(result)).toEqual(['Contents']);
      expect(result.Contents.map((item) => item.Key)).toEqual([
        'list/a.csv',
        'list/b.csv',
        'list/c.csv',
        'list/d.csv',
        'list/e.csv',
      ]);
    });

    it('an operation that ends on paginate(...) answers the list of pages', async () => {
      // Act
      const answer = await s3([
        {
          method: 'get_paginator',
          kwargs: { operation_name: 'list_objects_v2' },
          next: { method: 'paginate', kwargs: { Bucket: BUCKET, Prefix: 'list/', PaginationConfig: { PageSize: 2 } } },
        },
      ]);

      // Assess
      const pages = answer.__mcd_result__ as { KeyCount: number; ResponseMetadata: unknown }[];
      expect(pages.map((page) => page.KeyCount)).toEqual([2, 2, 1]);
      expect(pages[0]?.ResponseMetadata).toMatchObject({ HTTPStatusCode: 200 });
    });

    it('MaxItems stops the pagination and trims the merged result', async () => {
      // Act
      const answer = await s3([
        {
          method: 'get_paginator',
          args: ['list_objects_v2'],
          next: {
            method: 'paginate',
            kwargs: { Bucket: BUCKET, Prefix: 'list/', PaginationConfig: { PageSize: 2, MaxItems: 3 } },
            next: { method: 'build_full_result' },
          },
        },
      ]);

      // Assess
      const result = answer.__mcd_result__ as { Contents: { Key: string }[] };
      expect(result.Contents.map((item) => item.Key)).toEqual(['list/a.csv', 'list/b.csv', 'list/c.csv']);
    });
  });

  it('generate_presigned_url signs a get_object URL that s3rver serves without credentials', async () => {
    // Prepare
    await s3([{ method: 'put_object', kwargs: { Bucket: BUCKET, Key: 'shared.txt', Body: 'shared body' } }]);

    // Act
    const answer = await s3([
      {
        method: 'generate_presigned_url',
        kwargs: { ClientMethod: 'get_object', Params: { Bucket: BUCKET, Key: 'shared.txt' }, ExpiresIn: 600 },
      },
    ]);

    // Assess
    const url = answer.__mcd_result__ as string;
    expect(url).toMatch(new RegExp(`^${s3rver.endpoint}/${BUCKET}/shared.txt\\?.*X-Amz-Expires=600`));
    const fetched = await fetch(url);
    expect(fetched.status).toBe(200);
    await expect(fetched.text()).resolves.toBe('shared body');
  });

  it('refuses a pre-signed URL that outlives SigV4', async () => {
    // Act
    const answer = await s3([
      { method: 'generate_presigned_url', args: ['get_object', { Bucket: BUCKET, Key: 'x' }, 10_000_000] },
    ]);

    // Assess
    expect(answer.__mcd_error__).toBe('ExpiresIn must be a whole number of seconds from 1 to 604800');
  });

  it('accepts the same credentials wrapped in connect_args', async () => {
    // Act
    const answer = await execute(agent, 's3', [{ method: 'list_buckets' }], { connect_args: credentials });

    // Assess
    const buckets = (answer.__mcd_result__ as { Buckets: { Name: string }[] }).Buckets;
    expect(buckets.map((bucket) => bucket.Name)).toEqual([BUCKET]);
  });

  it('can_paginate tells which operations have a paginator', async () => {
    // Act
    const yes = await s3([{ method: 'can_paginate', args: ['list_objects_v2'] }]);
    const no = await s3([{ method: 'can_paginate', args: ['get_object'] }]);

    // Assess
    expect([yes.__mcd_result__, no.__mcd_result__]).toEqual([true, false]);
  });

  it('refuses an operation with no paginator', async () => {
    // Act
    const answer = await s3([{ method: 'get_paginator', args: ['get_object'] }]);

    // Assess
    expect(answer.__mcd_error__).toBe('Operation cannot be paginated: get_object');
  });

  it('refuses a name with no SDK command', async () => {
    // Act
    const unknown = await s3([{ method: 'list_objectz', kwargs: { Bucket: BUCKET } }]);
    const pascal = await s3([{ method: 'ListObjectsV2', kwargs: { Bucket: BUCKET } }]);
    const internal = await s3([{ method: 'send', args: [] }]);

    // Assess
    expect(unknown.__mcd_error__).toBe('Unknown operation list_objectz: @aws-sdk/client-s3 has no ListObjectzCommand');
    expect(pascal.__mcd_error__).toBe(
      'Unknown operation ListObjectsV2: operations are named in snake_case, as in boto3',
    );
    expect(internal.__mcd_error__).toBe('Unknown operation send: @aws-sdk/client-s3 has no SendCommand');
  });

  it('refuses positional arguments, as boto3 does', async () => {
    // Act
    const answer = await s3([{ method: 'list_objects_v2', args: [BUCKET] }]);

    // Assess
    expect(answer.__mcd_error__).toBe('list_objects_v2() only accepts keyword arguments.');
  });

  itInPrivateNetwork('refuses an endpoint_url at the metadata address, before any request', async () => {
    // Act
    const answer = await execute(agent, 's3', [{ method: 'list_buckets' }], {
      ...credentials,
      endpoint_url: 'http://169.254.169.254/',
    });

    // Assess
    expect(answer).toEqual({
      __mcd_error__: 'Destination refused: blocked address 169.254.169.254',
      __mcd_exception__: 'ForbiddenError: Destination refused: blocked address 169.254.169.254',
      __mcd_stack_trace__: expect.any(Array),
      __mcd_error_type__: 'Forbidden',
      __mcd_trace_id__: 'trace-1',
    });
  });
});
