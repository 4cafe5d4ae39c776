import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import fc from 'fast-check';
import { communityId, parseIPv6, type FlowTuple } from '../../../../src/formats/vpc-flow/community-id.js';

/**
 * corelight/community-id-spec baseline/baseline_deflt.json and baseline_seed1.json (the spec's
 * pcaps run through its reference implementation), every row: proto, saddr, daddr, sport, dport
 * (for ICMP: type, code), the ID with seed 0 and with seed 1.
 */
const BASELINE: readonly [number, string, string, number | null, number | null, string, string][] = [
  [58, 'fe80::200:86ff:fe05:80da', 'fe80::260:97ff:fe07:69ea', 135, 136, '1:dGHyGvjMfljg6Bppwm3bg0LO8TY=', '1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY='],
  [58, 'fe80::260:97ff:fe07:69ea', 'fe80::200:86ff:fe05:80da', 136, 135, '1:dGHyGvjMfljg6Bppwm3bg0LO8TY=', '1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY='],
  [58, 'fe80::260:97ff:fe07:69ea', 'fe80::200:86ff:fe05:80da', 135, 136, '1:zavyT/cezQr1fmImYCwYnMXbgck=', '1:2hSqmsDZ2kdcY9kbiUzOEBic0iM='],
  [58, 'fe80::200:86ff:fe05:80da', 'fe80::260:97ff:fe07:69ea', 136, 135, '1:zavyT/cezQr1fmImYCwYnMXbgck=', '1:2hSqmsDZ2kdcY9kbiUzOEBic0iM='],
  [58, '3ffe:501:1800:2345::2', '3ffe:507:0:1:200:86ff:fe05:80da', 3, 0, '1:2ObVBgIn28oZvibYZhZMBgh7WdQ=', '1:lVEtCZpYu84Xqaa++3lXFyuu2n4='],
  [58, '3ffe:501:410:0:2c0:dfff:fe47:33e', '3ffe:507:0:1:200:86ff:fe05:80da', 1, 4, '1:hLZd0XGWojozrvxqE0dWB1iM6R0=', '1:W8MHwXpWzpoSTD+cGcaJr4u0ys8='],
  [58, '3ffe:507:0:1:200:86ff:fe05:80da', '3ffe:501:0:1001::2', 128, 129, '1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=', '1:GfZxjAkDk2MkegpBYHV6tadtFXQ='],
  [58, '3ffe:501:0:1001::2', '3ffe:507:0:1:200:86ff:fe05:80da', 129, 128, '1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=', '1:GfZxjAkDk2MkegpBYHV6tadtFXQ='],
  [58, 'fe80::200:86ff:fe05:80da', 'ff02::2', 133, 134, '1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=', '1:L7Ka0ZMYu+J3bL4ulW2PrqyXNo8='],
  [58, 'fe80::260:97ff:fe07:69ea', 'ff02::1', 134, 133, '1:pkvHqCL88/tg1k4cPigmZXUtL00=', '1:K/ee5UCqAMAQXDorP5nSa2CGLjc='],
  [1, '192.168.0.89', '192.168.0.1', 8, 0, '1:X0snYXpgwiv9TZtqg64sgzUn6Dk=', '1:03g6IloqVBdcZlPyX8r0hgoE7kA='],
  [1, '192.168.0.1', '192.168.0.89', 0, 8, '1:X0snYXpgwiv9TZtqg64sgzUn6Dk=', '1:03g6IloqVBdcZlPyX8r0hgoE7kA='],
  [1, '10.0.0.1', '10.0.0.2', 11, 0, '1:YHxtAirCG//0OzkcVAukqKQN9xM=', '1:XjUibYHaafLQ3pxQeiMI8g25q20='],
  [6, '2001:470:e5bf:dead:4957:2174:e82c:4887', '2607:f8b0:400c:c03::1a', 63943, 25, '1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=', '1:eJYTW6AOzFLlSUoESovMjnu7rMw='],
  [6, '2607:f8b0:400c:c03::1a', '2001:470:e5bf:dead:4957:2174:e82c:4887', 25, 63943, '1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=', '1:eJYTW6AOzFLlSUoESovMjnu7rMw='],
  [132, '192.168.170.8', '192.168.170.56', 7, 7, '1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=', '1:5w3ZRjeKBzqT3zsaEECDGjUbYeg='],
  [132, '192.168.170.56', '192.168.170.8', 7, 7, '1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=', '1:5w3ZRjeKBzqT3zsaEECDGjUbYeg='],
  [6, '128.232.110.120', '66.35.250.204', 34855, 80, '1:LQU9qZlK+B5F3KDmev6m5PMibrg=', '1:3V71V58M3Ksw/yuFALMcW0LAHvc='],
  [6, '66.35.250.204', '128.232.110.120', 80, 34855, '1:LQU9qZlK+B5F3KDmev6m5PMibrg=', '1:3V71V58M3Ksw/yuFALMcW0LAHvc='],
  [17, '192.168.1.52', '8.8.8.8', 54585, 53, '1:d/FP5EW3wiY1vCndhwleRRKHowQ=', '1:Q9We8WO3piVF8yEQBNJF4uiSVrI='],
  [17, '8.8.8.8', '192.168.1.52', 53, 54585, '1:d/FP5EW3wiY1vCndhwleRRKHowQ=', '1:Q9We8WO3piVF8yEQBNJF4uiSVrI='],
  [46, '10.1.12.1', '10.1.12.2', null, null, '1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=', '1:rYir8gphR31noO9iDRQmF/BteEI='],
  [46, '10.1.12.2', '10.1.12.1', null, null, '1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=', '1:rYir8gphR31noO9iDRQmF/BteEI='],
];

function tuple(proto: number, saddr: string, daddr: string, sport: number | null, dport: number | null): FlowTuple {
  return { proto, saddr, daddr, ...(sport === null ? {} : { sport }), ...(dport === null ? {} : { dport }) };
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

describe('communityId', () => {
  it('reproduces every row of the spec baseline, seed 0 and seed 1', () => {
    for (const [proto, saddr, daddr, sport, dport, seed0, seed1] of BASELINE) {
      const t = tuple(proto, saddr, daddr, sport, dport);
      assert.equal(communityId(t), seed0, `${proto} ${saddr} ${sport} → ${daddr} ${dport}`);
      assert.equal(communityId(t, 1), seed1, `seed 1: ${proto} ${saddr} ${sport} → ${daddr} ${dport}`);
    }
  });

  it('gives both directions of a TCP, UDP or SCTP flow the same id', () => {
    fc.assert(fc.property(
      fc.ipV4(), fc.ipV4(), fc.constantFrom(6, 17, 132), fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }),
      (a, b, proto, pa, pb) => {
        const there = communityId({ saddr: a, daddr: b, proto, sport: pa, dport: pb });
        assert.ok(there?.startsWith('1:'));
        assert.equal(communityId({ saddr: b, daddr: a, proto, sport: pb, dport: pa }), there);
      },
    ));
  });

  it('orders equal addresses by port', () => {
    const a = communityId({ saddr: '10.0.0.1', daddr: '10.0.0.1', proto: 6, sport: 80, dport: 1234 });
    assert.equal(communityId({ saddr: '10.0.0.1', daddr: '10.0.0.1', proto: 6, sport: 1234, dport: 80 }), a);
    assert.notEqual(communityId({ saddr: '10.0.0.1', daddr: '10.0.0.1', proto: 6, sport: 80, dport: 80 }), a);
  });

  it('hashes no ports for protocols other than TCP, UDP, SCTP and the ICMPs', () => {
    const gre = communityId({ saddr: '10.1.12.1', daddr: '10.1.12.2', proto: 47 });
    assert.equal(communityId({ saddr: '10.1.12.1', daddr: '10.1.12.2', proto: 47, sport: 5, dport: 6 }), gre);
  });

  it('keeps one-way ICMP messages in their direction', () => {
    const unreachable = { saddr: '10.0.0.2', daddr: '10.0.0.1', proto: 1, sport: 3, dport: 1 };
    assert.notEqual(communityId(unreachable), communityId({ ...unreachable, saddr: '10.0.0.1', daddr: '10.0.0.2' }));
  });

  it('refuses what it cannot hash', () => {
    assert.equal(communityId({ saddr: '10.0.0.1', daddr: '10.0.0.2', proto: 6, sport: 80 }), undefined);
    assert.equal(communityId({ saddr: '10.0.0.1', daddr: '10.0.0.2', proto: 1 }), undefined);
    assert.equal(communityId({ saddr: '10.0.0.1', daddr: '2001:db8::1', proto: 47 }), undefined);
    assert.equal(communityId({ saddr: '10.0.0.1', daddr: 'nowhere', proto: 47 }), undefined);
    assert.equal(communityId({ saddr: '10.0.0.1', daddr: '10.0.0.2', proto: 256 }), undefined);
    assert.equal(communityId({ saddr: '10.0.0.1', daddr: '10.0.0.2', proto: 6, sport: 70000, dport: 1 }), undefined);
    assert.equal(communityId({ saddr: '10.0.0.1', daddr: '10.0.0.2', proto: 47 }, 65536), undefined);
  });
});

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
