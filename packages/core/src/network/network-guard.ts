import { lookup as dnsLookup } from 'node:dns/promises';
import { isIPv6, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { ConnectionFailedError, ForbiddenError } from '../errors/agent-errors';
import { embeddedIpv4 } from './embedded-ipv4';

/**
 * The one SSRF guard for every outbound connection the agent makes on the control plane's behalf (SPEC §3.1):
 * resolve once, check every address, then connect to the checked address (no second lookup, so no DNS rebinding).
 *
 * Always refused: link-local (169.254.0.0/16, fe80::/10), cloud metadata (fd00:ec2::/64, 100.100.100.200,
 * metadata.google.internal). Loopback and unspecified addresses are refused unless `allowLoopback`. Private RFC 1918
 * ranges stay reachable: private data sources are the job. An IPv6 address that embeds an IPv4 address (mapped,
 * compatible, SIIT, NAT64, 6to4, Teredo: see embedded-ipv4.ts) is checked as itself and as every IPv4 address it carries.
 *
 * HTTP goes through guarded-http.ts and every other TCP connection (databases, network checks) through guarded-tcp.ts.
 */

/** getaddrinfo's answer (`dns.promises.lookup` with `all`): it reads the hosts file, as the drivers would. */
export type HostLookup = (host: string) => Promise<readonly { address: string; family: number }[]>;

export interface NetworkGuardOptions {
  readonly allowLoopback: boolean;
  readonly blockedCidrs: readonly string[];
  /** The system resolver unless given (tests name hosts the machine's hosts file does not have). */
  readonly lookup?: HostLookup;
}

const systemLookup: HostLookup = (host) => dnsLookup(host, { all: true, verbatim: true });

export interface Destination {
  readonly host: string;
  readonly address: string;
  readonly family: 4 | 6;
}

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

const ALWAYS_BLOCKED = ['169.254.0.0/16', 'fe80::/10', 'fd00:ec2::/64', '100.100.100.200/32'];
const LOOPBACK_AND_UNSPECIFIED = ['127.0.0.0/8', '0.0.0.0/8', '::1/128', '::/128'];
const BLOCKED_HOSTNAMES = new Set(['metadata.google.internal', 'metadata.goog']);

export class NetworkGuard {
  readonly #blocked: Cidr[];
  readonly #lookup: HostLookup;

  constructor(options: NetworkGuardOptions) {
    this.#lookup = options.lookup ?? systemLookup;
    const ranges = [
      ...ALWAYS_BLOCKED,
      ...(options.allowLoopback ? [] : LOOPBACK_AND_UNSPECIFIED),
      ...options.blockedCidrs,
    ];
    this.#blocked = ranges.map((range) => ipaddr.parseCIDR(range));
  }

  /** Throws ForbiddenError when `address` (an IP literal) may not be contacted. */
  assertAddressAllowed(address: string, resolvedFrom?: string): void {
    const ip = parseAddress(address);
    const carried = ip.kind() === 'ipv6' ? embeddedIpv4(ip as ipaddr.IPv6) : [];
    const blocked = [ip, ...carried].find((candidate) => this.#isBlocked(candidate));
    if (!blocked) return;
    const embedded = blocked === ip ? '' : ` (embeds ${blocked.toString()})`;
    const origin = resolvedFrom ? ` resolved from hostname ${resolvedFrom}` : '';
    throw new ForbiddenError(`Destination refused: blocked address ${address}${embedded}${origin}`);
  }

  /** Resolves `host` once and returns the address to connect to, or throws ForbiddenError/ConnectionFailedError. */
  async resolve(host: string): Promise<Destination> {
    const name = host.replace(/^\[|\]$/g, '').toLowerCase();
    if (!name) throw new ForbiddenError('Destination refused: empty host');
    if (BLOCKED_HOSTNAMES.has(name.replace(/\.$/, ''))) throw new ForbiddenError(`Destination refused: host ${host}`);
    if (ipaddr.isValid(name)) {
      this.assertAddressAllowed(name);
      // Connect to the canonical form: "2130706433" or "0x7f.1" must not be handed to getaddrinfo again.
      const ip = parseAddress(name);
      return { host, address: ip.toString(), family: ip.kind() === 'ipv4' ? 4 : 6 };
    }
    let addresses: readonly { address: string; family: number }[];
    try {
      addresses = await this.#lookup(name);
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

  #isBlocked(ip: ipaddr.IPv4 | ipaddr.IPv6): boolean {
    return this.#blocked.some(([range, bits]) => range.kind() === ip.kind() && ip.match(range, bits));
  }
}

/**
 * An IP literal as the socket layer reads it. ipaddr.js reads `::a.b.c.d` as IPv4-mapped (`::ffff:a.b.c.d`), a
 * different address from the IPv4-compatible one the kernel connects to, so IPv6 text goes through the WHATWG URL
 * parser first (which serialises it in hexadecimal pieces); a zone id (`fe80::1%eth0`), which URLs do not take, is
 * left to ipaddr.js.
 */
function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 {
  const bracketed = `http://[${text}]/`;
  if (isIPv6(text) && URL.canParse(bracketed)) return ipaddr.IPv6.parse(new URL(bracketed).hostname.slice(1, -1));
  return ipaddr.parse(text);
}

/** A `lookup` for net/http/tls that always answers with the already-checked address. */
export function pinnedLookup(destination: Destination): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: destination.address, family: destination.family }]);
    else callback(null, destination.address, destination.family);
  }) as LookupFunction;
}
