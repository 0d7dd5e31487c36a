import { get as httpGet, type IncomingMessage } from 'node:http';
import { type Agent, get as httpsGet } from 'node:https';
import { itInPrivateNetwork, selfSignedCertificate, startLocalHttpServer } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { guardedAgent, guardedAgents } from '../../src/network/guarded-agent';
import { NetworkGuard } from '../../src/network/network-guard';

type Answer = { status: number; body: string; remoteAddress: string | undefined };

function fetchWith(agent: Agent | import('node:http').Agent, url: string): Promise<Answer> {
  const get = url.startsWith('https:') ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const request = get(url, { agent: agent as Agent }, (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
          remoteAddress: response.socket?.remoteAddress,
        }),
      );
    });
    request.on('error', reject);
  });
}

const loopbackAllowed = new NetworkGuard({ allowLoopback: true, blockedCidrs: [] });
const loopbackRefused = new NetworkGuard({ allowLoopback: false, blockedCidrs: [] });

describe('guardedAgent', () => {
  const certificate = selfSignedCertificate();
  let plain: Awaited<ReturnType<typeof startLocalHttpServer>>;
  let tls: Awaited<ReturnType<typeof startLocalHttpServer>>;
  beforeAll(async () => {
    plain = await startLocalHttpServer((request, _body, response) => {
      response.end(`plain ${request.url}`);
    });
    tls = await startLocalHttpServer((request, _body, response) => {
      response.end(`tls ${request.url}`);
    }, certificate);
  });
  afterAll(async () => {
    await plain.close();
    await tls.close();
  });

  it('connects to a destination the guard allows', async () => {
    // Prepare
    const agent = guardedAgent(loopbackAllowed);

    // Act
    const answer = await fetchWith(agent, `${plain.url}/a`);

    // Assess
    expect(answer).toEqual({ status: 200, body: 'plain /a', remoteAddress: '127.0.0.1' });
  });

  it('refuses an IP literal the guard refuses, before any socket is opened', async () => {
    // Prepare
    const agent = guardedAgent(loopbackRefused);

    // Act
    const failure = fetchWith(agent, `${plain.url}/b`);

    // Assess
    await expect(failure).rejects.toMatchObject({
      name: 'ForbiddenError',
      message: 'Destination refused: blocked address 127.0.0.1',
    });
  });

  it('resolves a host name through the guard and refuses what it resolves to', async () => {
    // Prepare: `localhost` is a name, so the guard resolves it (hosts file) and checks every address
    const agent = guardedAgent(loopbackRefused);

    // Act
    const failure = fetchWith(agent, `http://localhost:${plain.port}/c`);

    // Assess
    await expect(failure).rejects.toMatchObject({
      name: 'ForbiddenError',
      message: expect.stringMatching(
        /^Destination refused: blocked address (127\.0\.0\.1|::1) resolved from hostname localhost$/,
      ),
    });
  });

  it('speaks TLS to the checked address and verifies the certificate against the host name', async () => {
    // Prepare
    const { https } = guardedAgents(loopbackAllowed, { ca: certificate.cert });

    // Act
    const answer = await fetchWith(https, `https://localhost:${tls.port}/d`);

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('tls /d');
  });

  it('keeps TLS verification on: an untrusted certificate is refused', async () => {
    // Prepare: no CA given, so the self-signed certificate is not trusted
    const agent = guardedAgent(loopbackAllowed, { https: true });

    // Act
    const failure = fetchWith(agent, `${tls.url}/e`);

    // Assess
    await expect(failure).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });

  itInPrivateNetwork('refuses the cloud metadata address whatever the loopback policy', async () => {
    // Prepare
    const agent = guardedAgent(loopbackAllowed);

    // Act
    const failure = fetchWith(agent, 'http://169.254.169.254/latest/meta-data/');

    // Assess
    await expect(failure).rejects.toMatchObject({
      name: 'ForbiddenError',
      message: 'Destination refused: blocked address 169.254.169.254',
    });
  });
});
