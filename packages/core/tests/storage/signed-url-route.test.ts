import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { operation, startTestAgent, type TestAgent } from '../support/test-agent';
import { freePort } from './support/storage-emulators';

/*
 * GET /api/v1/storage/signed/{key}: the FILESYSTEM backend's pre-signed URLs, served by the agent itself (SPEC §2,
 * §7). A URL is good for its one key until it expires; anything else is refused the way a bucket refuses it.
 */

describe('FILESYSTEM pre-signed URLs', () => {
  let scratch: string;
  let agent: TestAgent;

  async function presign(key: string, expiration = 300): Promise<string> {
    await agent.post('/api/v1/agent/execute/storage/w', operation([{ method: 'write', args: [key, 'secret data'] }]));
    const response = await agent.post(
      '/api/v1/agent/execute/storage/u',
      operation([{ method: 'generate_presigned_url', kwargs: { key, expiration } }]),
    );
    return ((await response.json()) as { __mcd_result__: string }).__mcd_result__;
  }

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'artemis-signed-url-'));
    const port = await freePort();
    agent = await startTestAgent({
      MCD_STORAGE_PATH: scratch,
      PORT: String(port),
      MCD_PUBLIC_URL: `http://127.0.0.1:${port}/`,
      MCD_STORAGE_SIGNING_SECRET: 'test-signing-secret',
    });
  });

  afterAll(async () => {
    await agent.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it('serves the object of a valid URL under MCD_PUBLIC_URL, keys with slashes and spaces included', async () => {
    // Act
    const url = await presign('deep/dir/my file.txt');
    const response = await fetch(url);

    // Assess
    expect(url.startsWith(`${agent.url}/api/v1/storage/signed/mcd/deep/dir/my%20file.txt?expires=`)).toBe(true);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    await expect(response.text()).resolves.toBe('secret data');
  });

  it.each([
    [
      'a tampered signature',
      (url: URL) => url.searchParams.set('signature', 'AAAA'),
      'Invalid pre-signed URL signature',
    ],
    [
      'a later expiry',
      (url: URL) => url.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 1000)),
      'Invalid pre-signed URL signature',
    ],
    [
      'another key',
      (url: URL) => {
        url.pathname = url.pathname.replace('signed/mcd/a.txt', 'signed/mcd/b.txt');
      },
      'Invalid pre-signed URL signature',
    ],
    [
      'no signature',
      (url: URL) => url.searchParams.delete('signature'),
      'Malformed pre-signed URL: expires and signature are required',
    ],
  ])('answers 403 to %s', async (_label, tamper, message) => {
    // Prepare
    await presign('b.txt');
    const url = new URL(await presign('a.txt'));
    tamper(url);

    // Act
    const response = await fetch(url);

    // Assess
    expect(response.status).toBe(403);
    await expect(response.json()).resolves.toEqual({
      __mcd_error__: message,
      __mcd_exception__: `SignedUrlError: ${message}`,
      __mcd_stack_trace__: expect.any(Array),
      __mcd_error_type__: 'Forbidden',
    });
  });

  it('answers 404 once the object is deleted', async () => {
    // Prepare
    const url = await presign('gone.txt');
    await agent.post('/api/v1/agent/execute/storage/d', operation([{ method: 'delete', args: ['gone.txt'] }]));

    // Act
    const response = await fetch(url);

    // Assess
    expect(response.status).toBe(404);
    await expect(response.json()).resolves.toMatchObject({
      __mcd_error__: 'Object not found: mcd/gone.txt',
      __mcd_error_type__: 'NotFound',
    });
  });

  it('keeps URLs valid across agents sharing MCD_STORAGE_SIGNING_SECRET', async () => {
    // Prepare
    const url = new URL(await presign('shared.txt'));
    const other = await startTestAgent({
      MCD_STORAGE_PATH: scratch,
      MCD_STORAGE_SIGNING_SECRET: 'test-signing-secret',
    });

    // Act
    const response = await fetch(`${other.url}${url.pathname}${url.search}`);
    const text = await response.text();
    await other.close();

    // Assess
    expect(response.status).toBe(200);
    expect(text).toBe('secret data');
  });
});

describe('the signed route without a FILESYSTEM backend', () => {
  it.each([
    ['a cloud backend', 'S3_COMPATIBLE' as const],
    ['a backend that cannot start (no bucket)', 'AZURE_BLOB' as const],
  ])('answers 404 with %s: clouds sign their own URLs', async (_label, defaultStorage) => {
    // Prepare
    const env = {
      MCD_STORAGE_ENDPOINT_URL: 'http://127.0.0.1:9',
      MCD_STORAGE_ACCESS_KEY: 'k',
      MCD_STORAGE_SECRET_KEY: 's',
      ...(defaultStorage === 'S3_COMPATIBLE' ? { MCD_STORAGE_BUCKET_NAME: 'b' } : {}),
    };
    const agent = await startTestAgent(env, { defaultStorage });

    // Act
    const response = await agent.get('/api/v1/storage/signed/mcd/a.txt?expires=1&signature=x');
    await agent.close();

    // Assess
    expect(response.status).toBe(404);
    await expect(response.json()).resolves.toEqual({
      __mcd_error__: 'No route for GET /api/v1/storage/signed/mcd/a.txt',
      __mcd_exception__: 'RouteNotFoundError: No route for GET /api/v1/storage/signed/mcd/a.txt',
      __mcd_stack_trace__: expect.any(Array),
      __mcd_error_type__: 'NotFound',
    });
  });
});
