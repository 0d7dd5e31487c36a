import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, startConnectorsAgent, type TestAgent } from '../support/connectors-agent';
import { type MariadbServer, mariadbSkipReason, startMariadb } from '../support/mariadb-server';
import { queryCommands } from '../support/sql-operations';

const describeWithMariadb = mariadbSkipReason() ? describe.skip : describe;

describeWithMariadb('mysql ssl_options with a CA PEM, against a MariaDB serving TLS with its own CA', () => {
  const serverTls = selfSignedCertificate();
  let folder: string;
  let mariadb: MariadbServer;
  let agent: TestAgent;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'artemis-mariadb-tls-'));
    await writeFile(join(folder, 'cert.pem'), serverTls.cert);
    await writeFile(join(folder, 'key.pem'), serverTls.key);
    mariadb = await startMariadb([`--ssl-cert=${join(folder, 'cert.pem')}`, `--ssl-key=${join(folder, 'key.pem')}`]);
    agent = await startConnectorsAgent();
  }, 120_000);
  afterAll(async () => {
    await agent.close();
    await mariadb.stop();
    await rm(folder, { recursive: true, force: true });
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
