import { selfSignedCertificate, tlsRefusalMessage } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, startConnectorsAgent, type TestAgent } from '../support/connectors-agent';
import { type LocalHttpServer, sendJson, startHttpServer } from '../support/local-http-server';

describe('http connector: TLS options', () => {
  let agent: TestAgent;
  let server: LocalHttpServer;
  let cert: string;

  beforeAll(async () => {
    const pair = selfSignedCertificate();
    cert = pair.cert;
    server = await startHttpServer((_request, response) => sendJson(response, 200, { secure: true }), pair);
    agent = await startConnectorsAgent();
  });

  afterAll(async () => {
    await agent.close();
    await server.close();
  });

  const get = { method: 'do_request', kwargs: { url: '', http_method: 'GET' } };
  const getFrom = (url: string, extra: Record<string, unknown> = {}) => ({
    ...get,
    kwargs: { ...get.kwargs, url, ...extra },
  });

  it('refuses a certificate no trusted CA signed', async () => {
    // Prepare: Node's own words for this refusal, which differ between releases
    const refusal = await tlsRefusalMessage(server.port);

    // Act
    const answer = await execute(agent, 'http', [getFrom(`${server.url}/`)]);

    // Assess
    expect(refusal).toMatch(/^self-signed certificate/);
    expect(answer.__mcd_error__).toBe(`Request to ${server.url}/ failed: ${refusal} (DEPTH_ZERO_SELF_SIGNED_CERT)`);
    expect(answer.__mcd_exception__).toMatch(/^ConnectionError: /);
  });

  it('trusts the CA given in ssl_options.ca_data', async () => {
    // Act
    const answer = await execute(agent, 'http', [getFrom(`${server.url}/`)], {
      connect_args: { ssl_options: { ca_data: cert } },
    });

    // Assess
    expect(answer.__mcd_result__).toEqual({ secure: true });
  });

  it('skips verification with ssl_options.disabled or verify_ssl=False', async () => {
    // Act
    const disabled = await execute(agent, 'http', [getFrom(`${server.url}/`)], {
      connect_args: { ssl_options: { disabled: true } },
    });
    const unverified = await execute(agent, 'http', [getFrom(`${server.url}/`, { verify_ssl: false })]);

    // Assess
    expect([disabled.__mcd_result__, unverified.__mcd_result__]).toEqual([{ secure: true }, { secure: true }]);
  });
});
