import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, startConnectorsAgent, type TestAgent } from '../support/connectors-agent';
import { type LocalHttpServer, sendJson, startHttpServer } from '../support/local-http-server';

/** A throwaway self-signed certificate for 127.0.0.1, made with the system's openssl. */
function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'artemis-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=artemis-test',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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
    // Act
    const answer = await execute(agent, 'http', [getFrom(`${server.url}/`)]);

    // Assess
    expect(answer.__mcd_error__).toBe(
      `Request to ${server.url}/ failed: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)`,
    );
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
