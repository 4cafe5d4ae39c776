import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { communityId, type FlowTuple } from '../../../../src/formats/vpc-flow/community-id.js';

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
