import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BlockList, isIP } from 'node:net';
import fc from 'fast-check';
import { NON_PUBLIC_IPV4, NON_PUBLIC_IPV6, addressBytes, embeddedIPv4, isAddress, isPublicAddress, parseIPv4, parseIPv6 } from '../../../src/enrich/ip.js';

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

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('parseIPv6', () => {
  const parse = (s: string): string | undefined => {
    const out = new Uint8Array(16).fill(0xaa);
    return parseIPv6(s, out) ? hex(out) : undefined;
  };

  it('reads compressed, full, mixed-case and IPv4-tailed forms', () => {
    assert.equal(parse('::'), '0'.repeat(32));
    assert.equal(parse('::1'), `${'0'.repeat(31)}1`);
    assert.equal(parse('1::'), `0001${'0'.repeat(28)}`);
    assert.equal(parse('2001:DB8::a:b'), '20010db80000000000000000000a000b');
    assert.equal(parse('2001:db8:0:0:1:0:0:1'), '20010db8000000000001000000000001');
    assert.equal(parse('::ffff:192.0.2.1'), '00000000000000000000ffffc0000201');
    assert.equal(parse('64:ff9b::1.2.3.4'), '0064ff9b000000000000000001020304');
    assert.equal(parse('1:2:3:4:5:6:7::'), '00010002000300040005000600070000');
  });

  it('refuses what is not IPv6', () => {
    for (const bad of ['', ':', ':::', '1:2', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8::', 'fe80::1%eth0', '::1.2.3', 'g::', '1:', ':1', '1:2:3:4:5:6:7:1.2.3.4']) {
      assert.equal(parse(bad), undefined, bad);
    }
  });

  it('reads the longest form (45 characters), six groups before an IPv4 tail, and seven groups around ::', () => {
    assert.equal(parse('0000:0000:0000:0000:0000:ffff:255.255.255.255'), '00000000000000000000ffffffffffff');
    assert.equal(parse('1:2:3:4:5:6:1.2.3.4'), '00010002000300040005000601020304');
    assert.equal(parse('::1:2:3:4:5:6:7'), '00000001000200030004000500060007');
    assert.equal(parse('1:2:3::4:5:6:7'), '00010002000300000004000500060007');
    assert.equal(parse('Ff:fF::Aa:aA'), '00ff00ff000000000000000000aa00aa');
  });

  it('refuses 46 characters, a gap with eight groups, an empty group and a trailing colon', () => {
    for (const bad of ['0000:0000:0000:0000:0000:ffff:255.255.255.2550', '0000:0000:0000:0000:0000:0000:ffff:1.2.3.4', '::1:2:3:4:5:6:7:8', '1:2:3:4::5:6:7:8', '1:2:3:4:5:6:7::8', '1::2:', '1:2:3:4:5:6:7:8:', '::1:', '1:::2', ':::1', 'g::', 'G::', '::/', '/::', '@::', '`::']) {
      assert.equal(parse(bad), undefined, bad);
    }
  });

  it('accepts exactly what net.isIP calls IPv6', () => {
    const chars = fc.constantFrom(...'0123456789abcdefABCDEF:.'.split(''), '::', '1.2.3.4', 'ffff:');
    fc.assert(fc.property(fc.array(chars, { maxLength: 24 }).map((xs) => xs.join('')), (s) => {
      assert.equal(parseIPv6(s, new Uint8Array(16)), isIP(s) === 6, s);
    }), { numRuns: 5000 });
  });

  it('reads back the bytes of any address however it is written', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }), fc.nat(7), fc.nat(8), (groups, from, count) => {
      const bytes = hex(new Uint8Array(groups.flatMap((g) => [g >> 8, g & 255])));
      const text = groups.map((g) => g.toString(16));
      assert.equal(parse(text.join(':')), bytes);
      // Zero the run [from, from + count) and write it as `::`.
      const to = Math.min(8, from + count);
      const zeroed = groups.map((g, i) => (i >= from && i < to ? 0 : g));
      if (to - from >= 1) {
        const compressed = `${zeroed.slice(0, from).map((g) => g.toString(16)).join(':')}::${zeroed.slice(to).map((g) => g.toString(16)).join(':')}`;
        assert.equal(parse(compressed), hex(new Uint8Array(zeroed.flatMap((g) => [g >> 8, g & 255]))), compressed);
      }
    }));
  });
});

/**
 * The classification as node:net's BlockList gives it, the reference the byte tables must equal:
 * 2000::/3 is global unicast, the two prefixes embed an IPv4 address in their last 32 bits.
 */
function blockList(cidrs: readonly string[], family: 'ipv4' | 'ipv6'): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [base = '', bits = ''] = cidr.split('/');
    list.addSubnet(base, Number(bits), family);
  }
  return list;
}
const REF_V4_NON_PUBLIC = blockList(NON_PUBLIC_IPV4.map((r) => r.cidr), 'ipv4');
const REF_V6_NON_PUBLIC = blockList(NON_PUBLIC_IPV6.map((r) => r.cidr), 'ipv6');
const REF_EMBEDS = blockList(['::ffff:0:0/96', '64:ff9b::/96'], 'ipv6');
const REF_GLOBAL = blockList(['2000::/3'], 'ipv6');

/** IPv6 bytes near the special prefixes (and their edges: a bit flipped), else anywhere. */
const PREFIXES = [[0x20, 1, 0, 2, 0, 0], [0x20, 1, 0x0d, 0xb8], [0x3f, 0xff, 0x0f], [0x3f, 0xff, 0x10], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], [0x20], [0x3f], [0x40], [0x1f], [0xfe, 0x80], []];
const v6Bytes = fc.tuple(fc.constantFrom(...PREFIXES), fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.option(fc.nat(127))).map(([prefix, rest, flip]) => {
  const bytes = Uint8Array.from(rest);
  bytes.set(prefix);
  if (flip !== null) bytes[flip >> 3] = (bytes[flip >> 3] as number) ^ (0x80 >> (flip & 7));
  return bytes;
});
const v6Text = (b: Uint8Array): string => Array.from({ length: 8 }, (_, i) => (((b[2 * i] as number) << 8) | (b[2 * i + 1] as number)).toString(16)).join(':');
const v4Text = (b: Uint8Array, at: number): string => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;

describe('classification on parsed bytes', () => {
  it('calls an IPv4 address public exactly as a BlockList of the table does', () => {
    const nearRanges = fc.constantFrom(...NON_PUBLIC_IPV4.map((r) => r.cidr.split('/')[0] as string)).chain((base) =>
      fc.nat(0xffff).map((n) => { const v = (parseIPv4(base) + n - 0x8000) >>> 0; return v4Text(new Uint8Array([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]), 0); }));
    fc.assert(fc.property(fc.oneof(fc.ipV4(), nearRanges), (ip) => {
      assert.equal(isPublicAddress(ip), !REF_V4_NON_PUBLIC.check(ip, 'ipv4'), ip);
    }), { numRuns: 3000 });
  });

  it('calls an IPv6 address public, and reads its embedded IPv4 address, exactly as BlockLists do', () => {
    fc.assert(fc.property(v6Bytes, (bytes) => {
      const ip = v6Text(bytes);
      const embeds = REF_EMBEDS.check(ip, 'ipv6');
      const expected = embeds ? !REF_V4_NON_PUBLIC.check(v4Text(bytes, 12), 'ipv4') : REF_GLOBAL.check(ip, 'ipv6') && !REF_V6_NON_PUBLIC.check(ip, 'ipv6');
      assert.equal(isPublicAddress(ip), expected, ip);
      assert.equal(embeddedIPv4(ip), embeds ? v4Text(bytes, 12) : undefined, ip);
      assert.deepEqual(addressBytes(ip), bytes, ip);
    }), { numRuns: 3000 });
  });

  it('takes as an address exactly what net.isIP takes, but zone ids', () => {
    const chars = fc.constantFrom(...'0123456789abcdef:.%'.split(''), '::', '1.2.3.4', 'ffff:', '%eth0');
    fc.assert(fc.property(fc.oneof(fc.array(chars, { maxLength: 16 }).map((xs) => xs.join('')), fc.ipV4(), fc.ipV6()), (s) => {
      const family = s.includes('%') ? 0 : isIP(s);
      assert.equal(isAddress(s), family !== 0, s);
      assert.equal(addressBytes(s)?.length, family === 4 ? 4 : family === 6 ? 16 : undefined, s);
    }), { numRuns: 3000 });
  });
});
