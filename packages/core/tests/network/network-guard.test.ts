import { fakeHostLookup } from '@artemis/testkit';
import { describe, expect, it } from '@jest/globals';
import { ForbiddenError } from '../../src/errors/agent-errors';
import { NetworkGuard } from '../../src/network/network-guard';

// Pure: the guard only parses and classifies here. IP literals are never looked up, and names are answered by a
// resolver given to the guard (the machine's hosts file cannot be edited by a test), so no packet is sent.

/** Every IPv6 form that carries an IPv4 address, written around `v4` (Teredo once as server, once as client). */
function ipv6FormsOf(v4: string): [string, string][] {
  const [a = 0, b = 0, c = 0, d = 0] = v4.split('.').map(Number);
  const hex = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
  const high = hex(a, b);
  const low = hex(c, d);
  const inverted = `${hex(a ^ 0xff, b ^ 0xff)}:${hex(c ^ 0xff, d ^ 0xff)}`;
  return [
    ['IPv4-compatible', `::${high}:${low}`],
    ['IPv4-mapped', `::ffff:${v4}`],
    ['SIIT', `::ffff:0:${v4}`],
    ['NAT64', `64:ff9b::${v4}`],
    ['local-use NAT64', `64:ff9b:1::${high}:${low}`],
    ['6to4', `2002:${high}:${low}::1`],
    ['Teredo server', `2001:0:${high}:${low}::f5ff:fffe`],
    ['Teredo client', `2001:0:a00:2::${inverted}`],
  ];
}

const strict = new NetworkGuard({ allowLoopback: false, blockedCidrs: ['10.9.0.0/16'] });
const loopbackAllowed = new NetworkGuard({ allowLoopback: true, blockedCidrs: ['10.9.0.0/16'] });

const refusal = (guard: NetworkGuard, address: string) => {
  try {
    guard.assertAddressAllowed(address);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ForbiddenError);
    return (error as Error).message;
  }
};

describe('NetworkGuard: IPv6 forms that embed IPv4', () => {
  describe.each([
    ['loopback', '127.0.0.1'],
    ['this-network (0.0.0.0/8)', '0.1.2.3'],
  ])('carrying a %s address', (_kind, v4) => {
    it.each(ipv6FormsOf(v4))('refuses the %s form %s while loopback is refused', (_form, address) => {
      expect(refusal(strict, address)).toBe(`Destination refused: blocked address ${address} (embeds ${v4})`);
    });

    it.each(ipv6FormsOf(v4))('allows the %s form %s when loopback is allowed', (_form, address) => {
      expect(refusal(loopbackAllowed, address)).toBeUndefined();
    });
  });

  describe.each([
    ['link-local / AWS metadata', '169.254.169.254'],
    ['Alibaba metadata', '100.100.100.200'],
    ['MCD_NETWORK_BLOCKED_CIDRS', '10.9.8.7'],
  ])('carrying a %s address', (_kind, v4) => {
    it.each(ipv6FormsOf(v4))('always refuses the %s form %s', (_form, address) => {
      expect(refusal(loopbackAllowed, address)).toBe(`Destination refused: blocked address ${address} (embeds ${v4})`);
    });
  });

  it.each(ipv6FormsOf('10.1.2.3'))('allows the %s form %s of an allowed private address', (_form, address) => {
    expect(refusal(strict, address)).toBeUndefined();
  });

  it('reads ::a.b.c.d as IPv4-compatible, the address the socket would reach, and connects to that', async () => {
    // Act
    const destination = await loopbackAllowed.resolve('::10.1.2.3');

    // Assess: not ::ffff:a01:203, the IPv4-mapped address ipaddr.js alone would make of it
    expect(destination).toEqual({ host: '::10.1.2.3', address: '::a01:203', family: 6 });
    expect(refusal(strict, '::127.0.0.1')).toBe('Destination refused: blocked address ::127.0.0.1 (embeds 127.0.0.1)');
  });

  it('checks the IPv6 address itself too, so a blocked IPv6 range covers its embedded forms', () => {
    // Prepare
    const guard = new NetworkGuard({ allowLoopback: true, blockedCidrs: ['2002::/16'] });

    // Act / Assess
    expect(refusal(guard, '2002:a01:203::1')).toBe('Destination refused: blocked address 2002:a01:203::1');
  });
});

describe('NetworkGuard: resolving a host name', () => {
  const guard = new NetworkGuard({
    allowLoopback: false,
    blockedCidrs: [],
    lookup: fakeHostLookup({
      'db.internal': ['10.0.0.5'],
      'dual.internal': ['10.0.0.5', '::1'],
      'nat64.internal': ['64:ff9b::a9fe:a9fe'],
    }),
  });

  it('answers the first address of a name whose every address is allowed', async () => {
    await expect(guard.resolve('db.internal')).resolves.toEqual({
      host: 'db.internal',
      address: '10.0.0.5',
      family: 4,
    });
  });

  it('refuses a name when any of its addresses is refused, not only the first', async () => {
    await expect(guard.resolve('dual.internal')).rejects.toThrow(
      new ForbiddenError('Destination refused: blocked address ::1 resolved from hostname dual.internal'),
    );
  });

  it('refuses a name resolving to an IPv6 form of the metadata address', async () => {
    await expect(guard.resolve('nat64.internal')).rejects.toThrow(
      new ForbiddenError(
        'Destination refused: blocked address 64:ff9b::a9fe:a9fe (embeds 169.254.169.254) resolved from hostname nat64.internal',
      ),
    );
  });

  it.each(['metadata.google.internal', 'Metadata.Google.Internal.', 'metadata.goog'])(
    'refuses the metadata name %s before any lookup',
    async (host) => {
      await expect(guard.resolve(host)).rejects.toThrow(new ForbiddenError(`Destination refused: host ${host}`));
    },
  );
});
