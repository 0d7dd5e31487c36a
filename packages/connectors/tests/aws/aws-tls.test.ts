import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate, tlsRefusalMessage } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, startConnectorsAgent, type TestAgent } from '../support/connectors-agent';
import { type LocalHttpServer, sendJson, startHttpServer } from '../support/local-http-server';

describe('aws family: ssl_options against an https endpoint_url', () => {
  let agent: TestAgent;
  let glue: LocalHttpServer;
  let cert: string;

  beforeAll(async () => {
    const pair = selfSignedCertificate();
    cert = pair.cert;
    glue = await startHttpServer(
      (_request, response) =>
        sendJson(response, 200, { DatabaseList: [{ Name: 'tls' }] }, { 'content-type': 'application/x-amz-json-1.1' }),
      pair,
    );
    agent = await startConnectorsAgent();
  });

  afterAll(async () => {
    await agent.close();
    await glue.close();
  });

  const credentials = (extra: Record<string, unknown>) => ({
    endpoint_url: glue.url,
    aws_region: 'us-east-1',
    aws_access_key_id: 'AKIDLOCAL',
    aws_secret_access_key: 'local-secret',
    ...extra,
  });
  const getDatabases = [{ method: 'get_databases' }];

  it('trusts the CA in ssl_options.ca_data', async () => {
    // Act
    const answer = await execute(agent, 'glue', getDatabases, credentials({ ssl_options: { ca_data: cert } }));

    // Assess
    expect(answer.__mcd_result__).toMatchObject({ DatabaseList: [{ Name: 'tls' }] });
  });

  it('skips verification with ssl_options.disabled', async () => {
    // Act
    const answer = await execute(agent, 'glue', getDatabases, credentials({ ssl_options: { disabled: true } }));

    // Assess
    expect(answer.__mcd_result__).toMatchObject({ DatabaseList: [{ Name: 'tls' }] });
  });

  it('refuses the certificate otherwise, without a request reaching the server', async () => {
    // Prepare
    const refusal = await tlsRefusalMessage(glue.port);
    const before = glue.requests.length;

    // Act
    const answer = await execute(agent, 'glue', getDatabases, credentials({}));

    // Assess
    // Under jest the SDK sees Node's error from another realm and prefixes "AWS SDK error wrapper for Error: ".
    expect(refusal).toMatch(/^self-signed certificate/);
    expect(answer.__mcd_error__).toMatch(new RegExp(`(^|: )${refusal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    expect(glue.requests.length).toBe(before);
  });

  it("trusts the agent's CA bundle (AWS_CA_BUNDLE, installed from MCD_AWS_CA_BUNDLE_SECRET_NAME), as every AWS client does", async () => {
    // Prepare: the file prepareEnvironment writes and names in AWS_CA_BUNDLE; Node 20 cannot trust it process-wide.
    const folder = mkdtempSync(join(tmpdir(), 'artemis-ca-'));
    const bundle = join(folder, 'aws_ca_bundle.pem');
    writeFileSync(bundle, cert);
    process.env.AWS_CA_BUNDLE = bundle;

    // Act
    const answer = await execute(agent, 'glue', getDatabases, credentials({})).finally(() => {
      delete process.env.AWS_CA_BUNDLE;
      rmSync(folder, { recursive: true, force: true });
    });

    // Assess
    expect(answer.__mcd_result__).toMatchObject({ DatabaseList: [{ Name: 'tls' }] });
  });
});
