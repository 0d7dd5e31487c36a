import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { ConnectionFailedError, ForbiddenError } from '../errors/agent-errors';

/**
 * The one SSRF guard for every outbound connection the agent makes on the control plane's behalf (SPEC §3.1):
 * resolve once, check every address, then connect to the checked address (no second lookup, so no DNS rebinding).
 *
 * Always refused: link-local (169.254.0.0/16, fe80::/10), cloud metadata (fd00:ec2::/64, 100.100.100.200,
 * metadata.google.internal). Loopback and unspecified addresses are refused unless `allowLoopback`. Private RFC 1918
 * ranges stay reachable: private data sources are the job. IPv4 embedded in IPv6 (::ffff:a.b.c.d, 64:ff9b::/96) is
 * checked as the IPv4 address it reaches.
 */

export interface NetworkGuardOptions {
  readonly allowLoopback: boolean;
  readonly blockedCidrs: readonly string[];
}

export interface Destination {
  readonly host: string;
  readonly address: string;
  readonly family: 4 | 6;
}

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

const ALWAYS_BLOCKED = ['169.254.0.0/16', 'fe80::/10', 'fd00:ec2::/64', '100.100.100.200/32'];
const LOOPBACK_AND_UNSPECIFIED = ['127.0.0.0/8', '0.0.0.0/8', '::1/128', '::/128'];
const BLOCKED_HOSTNAMES = new Set(['metadata.google.internal', 'metadata.goog']);
const NAT64 = ipaddr.parseCIDR('64:ff9b::/96');

export class NetworkGuard {
  readonly #blocked: Cidr[];

  constructor(options: NetworkGuardOptions) {
    const ranges = [
      ...ALWAYS_BLOCKED,
      ...(options.allowLoopback ? [] : LOOPBACK_AND_UNSPECIFIED),
      ...options.blockedCidrs,
    ];
    this.#blocked = ranges.map((range) => ipaddr.parseCIDR(range));
  }

  /** Throws ForbiddenError when `address` (an IP literal) may not be contacted. */
  assertAddressAllowed(address: string, resolvedFrom?: string): void {
    const ip = effectiveAddress(ipaddr.parse(address));
    const hit = this.#blocked.find(([range, bits]) => range.kind() === ip.kind() && ip.match(range, bits));
    if (hit) {
      const origin = resolvedFrom ? ` resolved from hostname ${resolvedFrom}` : '';
      throw new ForbiddenError(`Destination refused: blocked address ${address}${origin}`);
    }
  }

  /** Resolves `host` once and returns the address to connect to, or throws ForbiddenError/ConnectionFailedError. */
  async resolve(host: string): Promise<Destination> {
    const name = host.replace(/^\[|\]$/g, '').toLowerCase();
    if (!name) throw new ForbiddenError('Destination refused: empty host');
    if (BLOCKED_HOSTNAMES.has(name.replace(/\.$/, ''))) throw new ForbiddenError(`Destination refused: host ${host}`);
    if (ipaddr.isValid(name)) {
      this.assertAddressAllowed(name);
      // Connect to the canonical form: "2130706433" or "0x7f.1" must not be handed to getaddrinfo again.
      const ip = ipaddr.parse(name);
      return { host, address: ip.toString(), family: ip.kind() === 'ipv4' ? 4 : 6 };
    }
    let addresses: { address: string; family: number }[];
    try {
      addresses = await dnsLookup(name, { all: true, verbatim: true });
    } catch (error) {
      throw new ConnectionFailedError(`DNS resolution failed for ${host}: ${(error as Error).message}`);
    }
    const first = addresses[0];
    if (!first) throw new ConnectionFailedError(`DNS resolution returned no address for ${host}`);
    // Every address is checked, not just the one we use: a name that can resolve to a blocked address is refused.
    for (const { address } of addresses) this.assertAddressAllowed(address, host);
    return { host, address: first.address, family: first.family === 6 ? 6 : 4 };
  }

  /** Resolves and checks the host of an http(s) URL. */
  async resolveUrl(rawUrl: string): Promise<{ url: URL; destination: Destination }> {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new ForbiddenError(`Destination refused: invalid URL ${rawUrl}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ForbiddenError(`Destination refused: unsupported scheme ${url.protocol.replace(':', '')}`);
    }
    return { url, destination: await this.resolve(url.hostname) };
  }
}

/** A `lookup` for net/http/tls that always answers with the already-checked address. */
export function pinnedLookup(destination: Destination): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: destination.address, family: destination.family }]);
    else callback(null, destination.address, destination.family);
  }) as LookupFunction;
}

function effectiveAddress(ip: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  if (ip.kind() !== 'ipv6') return ip;
  const v6 = ip as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
  if (v6.match(NAT64)) {
    const bytes = v6.toByteArray().slice(12);
    return ipaddr.fromByteArray(bytes);
  }
  return v6;
}
