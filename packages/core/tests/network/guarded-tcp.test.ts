import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { connect as connectTls, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { fakeHostLookup, selfSignedCertificate } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ForbiddenError } from '../../src/errors/agent-errors';
import { guardedTcpTarget, UnixSocketForbiddenError } from '../../src/network/guarded-tcp';
import { NetworkGuard } from '../../src/network/network-guard';

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

describe('guardedTcpTarget', () => {
  const guard = new NetworkGuard({ allowLoopback: true, blockedCidrs: [] });

  it.each([
    ['/tmp/x', new UnixSocketForbiddenError('/tmp/x')],
    ['/var/run/postgresql', new UnixSocketForbiddenError('/var/run/postgresql')],
    ['@abstract', new UnixSocketForbiddenError('@abstract')],
    ['db1.internal,127.0.0.1', new ForbiddenError('Destination refused: more than one host in db1.internal,127.0.0.1')],
  ])('refuses %s before any lookup', async (host, error) => {
    // Prepare
    const lookup = fakeHostLookup({ 'db.test': ['10.0.0.5'] });
    const counting = new NetworkGuard({ allowLoopback: true, blockedCidrs: [], lookup });

    // Act / Assess
    await expect(guardedTcpTarget(counting, host, 5432)).rejects.toThrow(error);
    expect(lookup.calls).toBe(0);
  });

  it.each([0, 65536, 1.5, Number.NaN])('refuses port %s', async (port) => {
    await expect(guardedTcpTarget(guard, '127.0.0.1', port)).rejects.toThrow(
      new ForbiddenError(`Destination refused: port ${port} of 127.0.0.1 is not a TCP port (1-65535)`),
    );
  });

  describe('against a local listener', () => {
    const accepted: Socket[] = [];
    const server = createServer((socket) => {
      accepted.push(socket);
      socket.end();
    });
    let port: number;
    beforeAll(async () => {
      port = await listen(server);
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('connects every socket to the address checked once, however the DNS answer changes afterwards', async () => {
      // Prepare: the name first resolves to loopback (allowed here), then to the metadata address.
      const lookup = fakeHostLookup({ 'db.test': (call) => (call === 0 ? ['127.0.0.1'] : ['169.254.169.254']) });
      const target = await guardedTcpTarget(
        new NetworkGuard({ allowLoopback: true, blockedCidrs: [], lookup }),
        'db.test',
        port,
      );
      const before = accepted.length;

      // Act: a socket the caller connects itself, as pg does, aiming it elsewhere; then one that connects at once.
      const driverSocket = target.socket().connect(1, 'elsewhere.invalid');
      await once(driverSocket, 'connect');
      const direct = target.connect();
      await once(direct, 'connect');
      const peers = [driverSocket, direct].map((socket) => [socket.remoteAddress, socket.remotePort]);
      driverSocket.destroy();
      direct.destroy();

      // Assess
      expect(target.destination).toEqual({ host: 'db.test', address: '127.0.0.1', family: 4 });
      expect(peers).toEqual([
        ['127.0.0.1', port],
        ['127.0.0.1', port],
      ]);
      expect(accepted.length - before).toBe(2);
      expect(lookup.calls).toBe(1);
    });

    it('refuses the name when it resolves to a refused address, and opens no socket', async () => {
      // Prepare
      const lookup = fakeHostLookup({ 'db.test': ['127.0.0.1'] });
      const strict = new NetworkGuard({ allowLoopback: false, blockedCidrs: [], lookup });
      const before = accepted.length;

      // Act / Assess
      await expect(guardedTcpTarget(strict, 'db.test', port)).rejects.toThrow(
        new ForbiddenError('Destination refused: blocked address 127.0.0.1 resolved from hostname db.test'),
      );
      expect(accepted.length).toBe(before);
    });
  });

  describe('with TLS on top', () => {
    const { key, cert } = selfSignedCertificate(); // names: localhost and 127.0.0.1
    const server = createTlsServer({ key, cert }, (socket: TLSSocket) => socket.end());
    let port: number;
    beforeAll(async () => {
      port = await listen(server);
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const handshake = async (name: string) => {
      const lookup = fakeHostLookup({ [name]: ['127.0.0.1'] });
      const target = await guardedTcpTarget(
        new NetworkGuard({ allowLoopback: true, blockedCidrs: [], lookup }),
        name,
        port,
      );
      const accepted = once(server, 'secureConnection') as Promise<[TLSSocket]>;
      const tls = connectTls({ socket: target.connect(), servername: target.host, ca: cert });
      try {
        await once(tls, 'secureConnect');
        const [served] = await accepted;
        return `verified, SNI ${served.servername}`;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code;
      } finally {
        tls.destroy();
      }
    };

    it('sends the host name as SNI and verifies the certificate against it, not against the dialled address', async () => {
      // Act: both names are dialled at 127.0.0.1, which the certificate lists; only one name is in it.
      const matching = await handshake('localhost');
      const other = await handshake('db.test');

      // Assess
      expect(matching).toBe('verified, SNI localhost');
      expect(other).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    });
  });
});
