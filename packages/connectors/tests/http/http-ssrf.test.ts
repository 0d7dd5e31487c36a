import { itInPrivateNetwork } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, startConnectorsAgent, type TestAgent } from '../support/connectors-agent';
import { forbiddenEnvelope, localhostRefusal } from '../support/guard-refusals';
import { type LocalHttpServer, sendJson, startHttpServer } from '../support/local-http-server';

const forbidden = (message: string) => forbiddenEnvelope(message, 'trace-1');

describe('http connector: SSRF guard', () => {
  let server: LocalHttpServer;
  let strict: TestAgent;
  let loopbackAllowed: TestAgent;

  beforeAll(async () => {
    server = await startHttpServer((request, response) => {
      if (request.url === '/to-metadata') {
        response.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' });
        return void response.end();
      }
      sendJson(response, 200, { reached: true });
    });
    strict = await startConnectorsAgent({ MCD_NETWORK_ALLOW_LOOPBACK: 'false' });
    loopbackAllowed = await startConnectorsAgent();
  });

  afterAll(async () => {
    await strict.close();
    await loopbackAllowed.close();
    await server.close();
  });

  itInPrivateNetwork('refuses the cloud metadata address even when loopback is allowed', async () => {
    // Act
    const answer = await execute(loopbackAllowed, 'http', [
      { method: 'do_request', kwargs: { url: 'http://169.254.169.254/latest/meta-data/', http_method: 'GET' } },
    ]);

    // Assess
    expect(answer).toEqual(forbidden('Destination refused: blocked address 169.254.169.254'));
  });

  it('refuses loopback without MCD_NETWORK_ALLOW_LOOPBACK, and nothing reaches the server', async () => {
    // Prepare
    const before = server.requests.length;

    // Act
    const answer = await execute(strict, 'http', [
      { method: 'do_request', kwargs: { url: `${server.url}/`, http_method: 'GET' } },
    ]);

    // Assess
    expect(answer).toEqual(forbidden('Destination refused: blocked address 127.0.0.1'));
    expect(server.requests.length).toBe(before);
  });

  it('refuses a host name that resolves to a blocked address', async () => {
    // Act
    const answer = await execute(strict, 'http', [
      { method: 'download_bytes', kwargs: { url: `http://localhost:${server.port}/` } },
    ]);

    // Assess
    expect(answer).toEqual(forbidden(await localhostRefusal()));
  });

  itInPrivateNetwork('refuses a redirect to the metadata address', async () => {
    // Act
    const answer = await execute(loopbackAllowed, 'http', [
      { method: 'do_request', kwargs: { url: `${server.url}/to-metadata`, http_method: 'GET' } },
    ]);

    // Assess
    expect(answer).toEqual(forbidden('Destination refused: blocked address 169.254.169.254'));
  });

  it('refuses a scheme other than http(s)', async () => {
    // Act
    const answer = await execute(loopbackAllowed, 'http', [
      { method: 'download_bytes', kwargs: { url: 'file:///etc/passwd' } },
    ]);

    // Assess
    expect(answer).toEqual(forbidden('Destination refused: unsupported scheme file'));
  });

  it('reaches the same server when loopback is allowed', async () => {
    // Act
    const answer = await execute(loopbackAllowed, 'http', [
      { method: 'do_request', kwargs: { url: `${server.url}/`, http_method: 'GET' } },
    ]);

    // Assess
    expect(answer.__mcd_result__).toEqual({ reached: true });
  });
});
