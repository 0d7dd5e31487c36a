import { itInPrivateNetwork } from '@artemis/testkit';
import { describe, expect, it } from '@jest/globals';
import { execute, startConnectorsAgent, type TestAgent } from '../support/connectors-agent';
import { forbiddenEnvelope, localhostRefusal, refusalFixture } from '../support/guard-refusals';
import { SELECT_ONE } from '../support/sql-operations';

// The refusals need no MySQL server: the "database" is a listener that counts connections, and a refused
// destination must see none. (That the guard lets MariaDB through when loopback is allowed is mysql.test.ts.)
const PASSWORD = 'my-s3cret-Pa55';

describe('mysql: the SSRF guard', () => {
  const fixture = refusalFixture();

  const attempt = (agent: TestAgent, extra: Record<string, unknown>) =>
    execute(agent, 'mysql', SELECT_ONE, {
      connect_args: { port: fixture.listener.port, user: 'root', password: PASSWORD, ...extra },
    });

  it.each([
    [{ host: '127.0.0.1' }, 'Destination refused: blocked address 127.0.0.1'],
    [{ host: '::1' }, 'Destination refused: blocked address ::1'],
    [{ host: '::ffff:0:127.0.0.1' }, 'Destination refused: blocked address ::ffff:0:127.0.0.1 (embeds 127.0.0.1)'],
    [{ host: '0.0.0.0' }, 'Destination refused: blocked address 0.0.0.0'],
    [{ host: 'db1.internal,127.0.0.1' }, 'Destination refused: more than one host in db1.internal,127.0.0.1'],
  ])('refuses %j with loopback refused, and nothing reaches the server', async (extra, message) => {
    // Prepare
    const before = fixture.listener.connections;

    // Act
    const answer = await attempt(fixture.strict, extra);

    // Assess
    expect(answer).toEqual(forbiddenEnvelope(message, 'trace-1'));
    expect(JSON.stringify(answer)).not.toContain(PASSWORD);
    expect(JSON.stringify(fixture.strict.logs)).not.toContain(PASSWORD);
    expect(fixture.listener.connections).toBe(before);
  });

  it.each([{}, { host: 'localhost' }])(
    'refuses %j: localhost (the default host) resolves to loopback',
    async (extra) => {
      // Prepare
      const before = fixture.listener.connections;

      // Act
      const answer = await attempt(fixture.strict, extra);

      // Assess
      expect(answer).toEqual(forbiddenEnvelope(await localhostRefusal(), 'trace-1'));
      expect(fixture.listener.connections).toBe(before);
    },
  );

  it.each([
    [{ host: '/tmp/x' }, '/tmp/x'],
    [{ host: '127.0.0.1', unix_socket: '/run/mysqld/mysqld.sock' }, '/run/mysqld/mysqld.sock'],
    [{ host: '127.0.0.1', socketPath: '/tmp/mysql.sock' }, '/tmp/mysql.sock'],
  ])('refuses the Unix socket of %j', async (extra, path) => {
    // Act
    const answer = await attempt(fixture.strict, extra);

    // Assess
    expect(answer).toEqual(
      forbiddenEnvelope(
        `Destination refused: Unix socket ${path} (only TCP connections are allowed)`,
        'trace-1',
        'UnixSocketForbiddenError',
      ),
    );
  });

  itInPrivateNetwork.each([
    [{ host: '169.254.169.254' }, 'Destination refused: blocked address 169.254.169.254'],
    [{ host: 'metadata.google.internal' }, 'Destination refused: host metadata.google.internal'],
    [{ host: '100.100.100.200' }, 'Destination refused: blocked address 100.100.100.200'],
    [
      { host: '64:ff9b::a9fe:a9fe' },
      'Destination refused: blocked address 64:ff9b::a9fe:a9fe (embeds 169.254.169.254)',
    ],
  ])('refuses the cloud metadata destination %j', async (extra, message) => {
    // Act
    const answer = await attempt(fixture.strict, extra);

    // Assess
    expect(answer).toEqual(forbiddenEnvelope(message, 'trace-1'));
  });

  it('consults the guard with loopback allowed: a blocked range covering 127.0.0.0/8 is refused', async () => {
    // Prepare
    const open = await startConnectorsAgent({ MCD_NETWORK_ALLOW_LOOPBACK: 'true' });
    const blocked = await startConnectorsAgent({
      MCD_NETWORK_ALLOW_LOOPBACK: 'true',
      MCD_NETWORK_BLOCKED_CIDRS: '127.0.0.0/8',
    });
    const before = fixture.listener.connections;

    // Act
    const refused = await attempt(blocked, { host: '127.0.0.1', connect_timeout: 5 });
    const afterRefusal = fixture.listener.connections;
    const reached = await attempt(open, { host: '127.0.0.1', connect_timeout: 5 });
    await open.close();
    await blocked.close();

    // Assess: the allowed attempt reaches the listener (which hangs up: not a MySQL server), the blocked one does not.
    expect(refused).toEqual(forbiddenEnvelope('Destination refused: blocked address 127.0.0.1', 'trace-1'));
    expect(afterRefusal).toBe(before);
    expect(reached.__mcd_error__).toBe('Connection lost: The server closed the connection.');
    expect(fixture.listener.connections).toBe(before + 1);
  });
});
