import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import fc from 'fast-check';
import { embeddedIPv4, isPublicAddress, parseIPv4 } from '../../../src/enrich/ip.js';

const PUBLIC: readonly (readonly [string, string])[] = [
  ['81.2.69.142', 'a London ISP'],
  ['8.8.8.8', 'Google DNS'],
  ['1.1.1.1', 'Cloudflare DNS'],
  ['52.95.128.179', 'an AWS S3 address'],
  ['100.63.255.255', 'just below CGNAT'],
  ['100.128.0.0', 'just above CGNAT'],
  ['172.15.255.255', 'just below 172.16/12'],
  ['172.32.0.0', 'just above 172.16/12'],
  ['198.20.0.1', 'just above the benchmarking /15'],
  ['223.255.255.255', 'last unicast before multicast'],
  ['2001:4860:4860::8888', 'Google DNS over IPv6'],
  ['2a00:1450:4009:81f::200e', 'a Google front end'],
  ['::ffff:81.2.69.142', 'IPv4-mapped public address'],
  ['::ffff:5102:458e', 'IPv4-mapped public address in hex'],
  ['64:ff9b::808:808', 'NAT64 of 8.8.8.8'],
];

const NOT_PUBLIC: readonly (readonly [string, string])[] = [
  ['10.1.2.3', 'RFC 1918'],
  ['172.16.0.1', 'RFC 1918'],
  ['172.31.16.139', 'RFC 1918 (AWS default VPC)'],
  ['192.168.1.1', 'RFC 1918'],
  ['127.0.0.1', 'loopback'],
  ['169.254.169.254', 'link-local (instance metadata)'],
  ['100.64.0.1', 'CGNAT'],
  ['100.127.255.255', 'CGNAT, last'],
  ['224.0.0.251', 'multicast (mDNS)'],
  ['239.255.255.250', 'multicast (SSDP)'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  ['0.0.0.0', 'this network'],
  ['0.1.2.3', 'this network'],
  ['192.0.0.9', 'IETF protocol assignments'],
  ['192.0.2.1', 'TEST-NET-1'],
  ['198.51.100.7', 'TEST-NET-2'],
  ['203.0.113.12', 'TEST-NET-3'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking, last'],
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['fd12:3456:789a::1', 'unique local'],
  ['fc00::1', 'unique local'],
  ['fe80::1', 'link-local'],
  ['febf:ffff::1', 'link-local, last'],
  ['ff02::1', 'multicast'],
  ['2001:db8:1234:a100:8d6e:3477:df66:f105', 'documentation (AWS examples use it)'],
  ['2001:2::1', 'benchmarking'],
  ['::ffff:10.0.0.1', 'IPv4-mapped private'],
  ['::ffff:a00:1', 'IPv4-mapped private in hex'],
  ['0:0:0:0:0:ffff:7f00:1', 'IPv4-mapped loopback, long form'],
  ['64:ff9b::a00:1', 'NAT64 of a private address'],
  ['fe80::1%eth0', 'zone id: not an address a flow log carries'],
  ['not-an-ip', 'garbage'],
  ['', 'empty'],
  ['1.2.3', 'too few octets'],
];

describe('isPublicAddress', () => {
  for (const [ip, why] of PUBLIC) {
    it(`says ${ip} is public (${why})`, () => assert.equal(isPublicAddress(ip), true));
  }
  for (const [ip, why] of NOT_PUBLIC) {
    it(`says ${JSON.stringify(ip)} is not public (${why})`, () => assert.equal(isPublicAddress(ip), false));
  }
});

describe('embeddedIPv4', () => {
  it('reads the IPv4 address out of mapped and NAT64 forms', () => {
    assert.equal(embeddedIPv4('::ffff:81.2.69.142'), '81.2.69.142');
    assert.equal(embeddedIPv4('::ffff:5102:458e'), '81.2.69.142');
    assert.equal(embeddedIPv4('::FFFF:A00:1'), '10.0.0.1');
    assert.equal(embeddedIPv4('64:ff9b::808:808'), '8.8.8.8');
  });

  it('gives nothing for other addresses', () => {
    assert.equal(embeddedIPv4('2001:4860::8888'), undefined);
    assert.equal(embeddedIPv4('81.2.69.142'), undefined);
    assert.equal(embeddedIPv4('::1'), undefined);
  });
});

describe('parseIPv4', () => {
  it('gives the address as an unsigned 32-bit number', () => {
    assert.equal(parseIPv4('0.0.0.0'), 0);
    assert.equal(parseIPv4('1.2.3.4'), 0x01020304);
    assert.equal(parseIPv4('255.255.255.255'), 0xffffffff);
  });

  it('refuses what net.isIP refuses', () => {
    for (const s of ['01.2.3.4', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '1.2.3.4 ', ' 1.2.3.4', '1.2.3.-4', '::1', '1.2.3.4/8']) {
      assert.equal(parseIPv4(s), -1, s);
    }
  });

  it('agrees with net.isIP on any dotted string', () => {
    const octet = fc.oneof(fc.nat(300).map(String), fc.stringMatching(/^[0-9]{1,4}$/));
    const dotted = fc.array(octet, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('.'));
    fc.assert(fc.property(fc.oneof(dotted, fc.ipV4(), fc.ipV4Extended(), fc.string()), (s) => {
      assert.equal(parseIPv4(s) >= 0, isIP(s) === 4, s);
    }));
  });
});
