import ipaddr from 'ipaddr.js';

const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');
const NAT64_LOCAL_USE = ipaddr.parseCIDR('64:ff9b:1::/48');
const SIX_TO_FOUR = ipaddr.parseCIDR('2002::/16');
const TEREDO = ipaddr.parseCIDR('2001::/32');

/**
 * The IPv4 addresses an IPv6 address carries, for the forms through which a host (NAT64, SIIT, a 6to4 or Teredo
 * relay, a dual-stack kernel) may end up talking to that IPv4 address. The guard checks each of them as well as the
 * IPv6 address itself, so `::ffff:169.254.169.254` or `2002:7f00:1::` is refused like 169.254.169.254 or 127.0.0.1.
 *
 * | form                                   | range             | where the IPv4 address is            |
 * | -------------------------------------- | ----------------- | ------------------------------------ |
 * | IPv4-compatible (deprecated)           | `::/96`           | last 32 bits (`::` and `::1` aside)  |
 * | IPv4-mapped                            | `::ffff:0:0/96`   | last 32 bits                         |
 * | IPv4-translated (SIIT, RFC 6145)       | `::ffff:0:0:0/96` | last 32 bits                         |
 * | NAT64 well-known prefix (RFC 6052)     | `64:ff9b::/96`    | last 32 bits                         |
 * | NAT64 local-use prefix (RFC 8215)      | `64:ff9b:1::/48`  | last 32 bits (the /96 layout)        |
 * | 6to4 (RFC 3056)                        | `2002::/16`       | bits 16-47                           |
 * | Teredo (RFC 4380): server, client      | `2001::/32`       | bits 32-63; last 32 bits XOR 1s      |
 *
 * The local-use NAT64 prefix may be deployed with any RFC 6052 length inside the /48; only the /96 layout (IPv4 in
 * the last 32 bits) is decoded, since reading the other layouts too would refuse ordinary /96 addresses whose middle
 * bits happen to spell 0.0.0.0.
 */
export function embeddedIpv4(ip: ipaddr.IPv6): ipaddr.IPv4[] {
  const bytes = ip.toByteArray();
  const at = (start: number) => ipaddr.fromByteArray(bytes.slice(start, start + 4)) as ipaddr.IPv4;
  const zeros = (start: number, end: number) => bytes.slice(start, end).every((byte) => byte === 0);
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return [at(12)]; // ::ffff:a.b.c.d
  if (zeros(0, 8) && bytes[8] === 0xff && bytes[9] === 0xff && zeros(10, 12)) return [at(12)]; // ::ffff:0:a.b.c.d
  if (zeros(0, 12)) return zeros(12, 15) && (bytes[15] ?? 0) <= 1 ? [] : [at(12)]; // ::a.b.c.d, not :: or ::1
  if (ip.match(NAT64_WELL_KNOWN) || ip.match(NAT64_LOCAL_USE)) return [at(12)];
  if (ip.match(SIX_TO_FOUR)) return [at(2)];
  if (ip.match(TEREDO)) {
    const client = ipaddr.fromByteArray(bytes.slice(12, 16).map((byte) => byte ^ 0xff)) as ipaddr.IPv4;
    return [at(4), client];
  }
  return [];
}
