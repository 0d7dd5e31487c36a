import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { S3Storage } from '../../src/storage/s3-storage';

/*
 * S3's is_bucket_private (Apollo's rule) needs bucket settings s3rver does not implement (public access block,
 * policy status, ACLs), so these cases run the real SDK against a local HTTP server that answers those S3 calls.
 */

type Answers = Record<'publicAccessBlock' | 'policyStatus' | 'acl', [number, string]>;

const NOT_CONFIGURED: [number, string] = [
  404,
  '<Error><Code>NoSuchPublicAccessBlockConfiguration</Code><Message>none</Message></Error>',
];
const BLOCK_ALL: [number, string] = [
  200,
  '<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls>' +
    '<BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets>' +
    '</PublicAccessBlockConfiguration>',
];
const policy = (isPublic: boolean): [number, string] => [
  200,
  `<PolicyStatus><IsPublic>${isPublic}</IsPublic></PolicyStatus>`,
];
const acl = (uri: string): [number, string] => [
  200,
  '<AccessControlPolicy><Owner><ID>o</ID></Owner><AccessControlList><Grant>' +
    '<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group">' +
    `<URI>${uri}</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`,
];
const OWNER_ONLY = acl('http://acs.amazonaws.com/groups/s3/LogDelivery');

describe('S3 is_bucket_private', () => {
  let server: Server;
  let answers: Answers;
  let storage: S3Storage;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const query = new URL(req.url ?? '/', 'http://s3').searchParams;
      const setting = (['publicAccessBlock', 'policyStatus', 'acl'] as const).find((name) => query.has(name));
      const [status, body] = setting ? answers[setting] : [200, ''];
      res.writeHead(status, { 'content-type': 'application/xml' }).end(req.method === 'HEAD' ? undefined : body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    storage = await S3Storage.create({
      type: 'S3',
      bucketName: 'bucket',
      prefix: 'mcd',
      region: 'us-east-1',
      endpointUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      accessKey: 'k',
      secretKey: 's',
    });
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each<[string, Answers, boolean]>([
    [
      'every public access blocked',
      { publicAccessBlock: BLOCK_ALL, policyStatus: policy(true), acl: OWNER_ONLY },
      true,
    ],
    ['a public policy', { publicAccessBlock: NOT_CONFIGURED, policyStatus: policy(true), acl: OWNER_ONLY }, false],
    [
      'an ACL grant to AllUsers',
      {
        publicAccessBlock: NOT_CONFIGURED,
        policyStatus: policy(false),
        acl: acl('http://acs.amazonaws.com/groups/global/AllUsers'),
      },
      false,
    ],
    [
      'an ACL grant to AuthenticatedUsers',
      {
        publicAccessBlock: NOT_CONFIGURED,
        policyStatus: NOT_CONFIGURED,
        acl: acl('http://acs.amazonaws.com/groups/global/AuthenticatedUsers'),
      },
      false,
    ],
    [
      'no public setting at all',
      { publicAccessBlock: NOT_CONFIGURED, policyStatus: NOT_CONFIGURED, acl: OWNER_ONLY },
      true,
    ],
  ])('with %s', async (_label, settings, expected) => {
    // Prepare
    answers = settings;

    // Act
    const privacy = storage.isBucketPrivate();

    // Assess
    await expect(privacy).resolves.toBe(expected);
  });

  it('fails rather than guessing "private" when a setting cannot be read', async () => {
    // Prepare
    answers = {
      publicAccessBlock: NOT_CONFIGURED,
      policyStatus: policy(false),
      acl: [500, '<Error><Code>InternalError</Code><Message>boom</Message></Error>'],
    };

    // Act
    const privacy = storage.isBucketPrivate();

    // Assess
    await expect(privacy).rejects.toMatchObject({ name: 'OperationError', message: 'S3 InternalError: boom' });
  });
});
