import { fakeAwsClients, REDSHIFT_PASSWORD, selfSignedCertificate, startFakeAws } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, startConnectorsAgent, type TestAgent } from '../support/connectors-agent';
import { type LocalHttpServer, sendJson, startHttpServer } from '../support/local-http-server';
import { type PgliteServer, startPgliteServer } from '../support/pglite-server';
import { queryCommands } from '../support/sql-operations';
import { startPostgresTlsRelay, type TlsRelay } from '../support/tls-relay';

let pglite: PgliteServer;
beforeAll(async () => {
  pglite = await startPgliteServer();
}, 60_000);
afterAll(() => pglite.stop());

describe('ssl_options with a CA PEM, through the default pipelines', () => {
  const serverTls = selfSignedCertificate();
  const otherCa = selfSignedCertificate().cert;
  let agent: TestAgent;
  let relay: TlsRelay;
  let https: LocalHttpServer;
  beforeAll(async () => {
    agent = await startConnectorsAgent();
    relay = await startPostgresTlsRelay(pglite.port, serverTls);
    https = await startHttpServer((_request, response) => sendJson(response, 200, { secure: true }), serverTls);
  });
  afterAll(async () => {
    await agent.close();
    await relay.close();
    await https.close();
  });

  const postgres = (ca: string) =>
    execute(agent, 'postgres', queryCommands('SELECT 1 AS one'), {
      host: '127.0.0.1',
      port: relay.port,
      database: 'postgres',
      user: 'postgres',
      password: 'pw',
      ssl_options: { ca_data: ca },
    });

  it('postgres connects over TLS to a server signed by that CA, and refuses one signed by another', async () => {
    // Act
    const trusted = await postgres(serverTls.cert);
    const untrusted = await postgres(otherCa);

    // Assess
    expect(trusted.__mcd_result__).toMatchObject({ all_results: [[1]] });
    expect(relay.handshakes).toBe(1);
    expect(untrusted.__mcd_error__).toMatch(/SELF_SIGNED_CERT|self-signed certificate/);
  });

  it('http trusts the CA given in flat ssl_options', async () => {
    // Act
    const trusted = await execute(
      agent,
      'http',
      [{ method: 'do_request', kwargs: { url: `${https.url}/`, http_method: 'GET' } }],
      {
        ssl_options: { ca_data: serverTls.cert },
      },
    );
    const untrusted = await execute(
      agent,
      'http',
      [{ method: 'do_request', kwargs: { url: `${https.url}/`, http_method: 'GET' } }],
      {
        ssl_options: { ca_data: otherCa },
      },
    );

    // Assess
    expect(trusted.__mcd_result__).toEqual({ secure: true });
    expect(untrusted.__mcd_error__).toMatch(/^Request to .* failed: self-signed certificate/);
  });
});

describe('oauth client credentials: the http connector sends the token it fetched', () => {
  let agent: TestAgent;
  let tokens: LocalHttpServer;
  let api: LocalHttpServer;
  beforeAll(async () => {
    agent = await startConnectorsAgent();
    tokens = await startHttpServer((request, response) => {
      const form = new URLSearchParams(request.body.toString('utf8'));
      if (form.get('grant_type') !== 'client_credentials' || form.get('client_secret') !== 'oauth-secret') {
        return sendJson(response, 401, { error: 'invalid_client' });
      }
      sendJson(response, 200, { access_token: `token-for-${form.get('client_id')}`, token_type: 'Bearer' });
    });
    api = await startHttpServer((request, response) =>
      sendJson(response, 200, { auth: request.headers.authorization }),
    );
  });
  afterAll(async () => {
    await agent.close();
    await tokens.close();
    await api.close();
  });

  it('fetches the token from the token server and sends it as a Bearer token', async () => {
    // Act
    const answer = await execute(
      agent,
      'http',
      [{ method: 'do_request', kwargs: { url: `${api.url}/data`, http_method: 'GET' } }],
      {
        oauth: {
          client_id: 'agent-1',
          client_secret: 'oauth-secret',
          access_token_endpoint: `${tokens.url}/oauth/token`,
          grant_type: 'client_credentials',
        },
      },
    );

    // Assess
    expect(answer.__mcd_result__).toEqual({ auth: 'Bearer token-for-agent-1' });
    expect(tokens.requests).toHaveLength(1);
    expect(tokens.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('agent-1:oauth-secret').toString('base64')}`,
    );
  });

  it('answers a refused token request as an error envelope without the client secret', async () => {
    // Act
    const answer = await execute(agent, 'http', [{ method: 'do_request', kwargs: { url: `${api.url}/data` } }], {
      oauth: {
        client_id: 'agent-1',
        client_secret: 'wrong-oauth-secret',
        access_token_endpoint: `${tokens.url}/oauth/token`,
        grant_type: 'client_credentials',
      },
    });

    // Assess
    expect(answer.__mcd_error__).toBe('[transform_execute] (step: oauth) Token endpoint returned HTTP 401');
    expect(JSON.stringify([answer, agent.logs])).not.toContain('wrong-oauth-secret');
  });
});

describe('redshift IAM authentication: temporary credentials from GetClusterCredentials', () => {
  let agent: TestAgent;
  let fake: Awaited<ReturnType<typeof startFakeAws>>;
  beforeAll(async () => {
    fake = await startFakeAws();
    agent = await startConnectorsAgent({}, { selfHostedCredentials: { aws: fakeAwsClients(fake) } });
  });
  afterAll(async () => {
    await agent.close();
    await fake.close();
  });

  it('mints the password through the real SDK and connects with it', async () => {
    // Act
    const answer = await execute(agent, 'redshift', queryCommands('SELECT current_user'), {
      host: '127.0.0.1',
      port: pglite.port,
      db_name: 'postgres',
      cluster_identifier: 'analytics',
      db_user: 'alice',
      aws_region: 'us-east-1',
      ssl_mode: 'disable',
    });

    // Assess
    expect(answer.__mcd_result__).toMatchObject({ rowcount: 1 });
    expect(fake.calls.at(-1)).toMatchObject({
      operation: 'redshift.GetClusterCredentials',
      input: { ClusterIdentifier: 'analytics', DbUser: 'alice', DbName: 'postgres' },
    });
    expect(JSON.stringify(agent.logs)).not.toContain(REDSHIFT_PASSWORD);
  });
});
