import { describe, expect, it } from '@jest/globals';
import ipaddr from 'ipaddr.js';
import { embeddedIpv4 } from '../../src/network/embedded-ipv4';

const carried = (address: string) => embeddedIpv4(ipaddr.IPv6.parse(address)).map(String);

describe('embeddedIpv4', () => {
  it.each([
    // IPv4-compatible ::/96 (written in hexadecimal: ipaddr.js would read the dotted form as IPv4-mapped)
    ['::7f00:1', ['127.0.0.1']],
    ['::a9fe:a9fe', ['169.254.169.254']],
    ['::2', ['0.0.0.2']],
    // IPv4-mapped ::ffff:0:0/96
    ['::ffff:127.0.0.1', ['127.0.0.1']],
    ['::ffff:a00:5', ['10.0.0.5']],
    // SIIT ::ffff:0:0:0/96
    ['::ffff:0:127.0.0.1', ['127.0.0.1']],
    ['::ffff:0:a9fe:a9fe', ['169.254.169.254']],
    // NAT64 well-known prefix 64:ff9b::/96
    ['64:ff9b::a9fe:a9fe', ['169.254.169.254']],
    ['64:ff9b::10.0.0.5', ['10.0.0.5']],
    // NAT64 local-use prefix 64:ff9b:1::/48: the last 32 bits
    ['64:ff9b:1::7f00:1', ['127.0.0.1']],
    ['64:ff9b:1:abcd:ef01:2345:6464:c8c8', ['100.100.200.200']],
    // 6to4 2002::/16: bits 16-47
    ['2002:7f00:1::', ['127.0.0.1']],
    ['2002:a9fe:a9fe:1::5', ['169.254.169.254']],
    // Teredo 2001::/32: the server (bits 32-63), then the client (last 32 bits, inverted); RFC 4380's example
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', ['65.54.227.120', '192.0.2.45']],
    ['2001:0:a9fe:a9fe::f5ff:fffe', ['169.254.169.254', '10.0.0.1']],
    ['2001:0:a00:2::80ff:fffe', ['10.0.0.2', '127.0.0.1']],
  ])('reads the IPv4 address carried by %s', (address, expected) => {
    expect(carried(address)).toEqual(expected);
  });

  it.each([
    '::', // unspecified: itself, not 0.0.0.0
    '::1', // loopback: itself, not 0.0.0.1
    '2001:db8::7f00:1', // documentation range, no embedding
    '2001:1::7f00:1', // next to Teredo's /32, outside it
    '64:ff9c::7f00:1', // next to the NAT64 prefix
    '64:ff9b:2::7f00:1', // next to the local-use NAT64 /48
    '2003:7f00:1::', // next to 6to4
    'fe80::7f00:1',
    '::fffe:7f00:1', // neither mapped nor SIIT
  ])('finds no IPv4 address in %s', (address) => {
    expect(carried(address)).toEqual([]);
  });
});
