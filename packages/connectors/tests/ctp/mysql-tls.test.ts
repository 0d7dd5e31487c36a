import { selfSignedCertificate } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, startConnectorsAgent, type TestAgent } from '../support/connectors-agent';
import { type MariadbServer, mariadbSkipReason, startMariadb } from '../support/mariadb-server';
import { queryCommands } from '../support/sql-operations';

const describeWithMariadb = mariadbSkipReason() ? describe.skip : describe;

describeWithMariadb('mysql ssl_options with a CA PEM, against a MariaDB serving TLS with its own CA', () => {
  const serverTls = selfSignedCertificate();
  let mariadb: MariadbServer;
  let agent: TestAgent;
  beforeAll(async () => {
    mariadb = await startMariadb({ tls: serverTls });
    agent = await startConnectorsAgent();
  }, 120_000);
  afterAll(async () => {
    await agent.close();
    await mariadb.stop();
  });

  const query = (sslOptions: Record<string, unknown>) =>
    execute(agent, 'mysql', queryCommands("SHOW SESSION STATUS LIKE 'Ssl_version'"), {
      host: '127.0.0.1',
      port: mariadb.port,
      user: 'root',
      password: '',
      ssl_options: sslOptions,
    });

  it('connects over verified TLS with the CA, and refuses a server another CA signed', async () => {
    // Act
    const trusted = await query({ ca_data: serverTls.cert });
    const untrusted = await query({ ca_data: selfSignedCertificate().cert });

    // Assess
    const rows = (trusted.__mcd_result__ as { all_results: [string, string][] }).all_results;
    expect(rows[0]?.[1]).toMatch(/^TLSv1\.[23]$/);
    expect(String(untrusted.__mcd_error__)).toMatch(/HANDSHAKE_SSL_ERROR|self-signed certificate/);
  });
});
