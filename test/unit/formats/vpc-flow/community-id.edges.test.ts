import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addressBytes } from '../../../../src/enrich/ip.js';
import { COMMUNITY_ID_LENGTH, communityId, communityIdOfBytes, writeCommunityId } from '../../../../src/formats/vpc-flow/community-id.js';

/**
 * The Community ID at the edges the spec baseline does not reach: every ICMP/ICMPv6 request–reply
 * pair Zeek knows, ports and seed at their limits, IPv6 at its longest. Expected ids come from
 * corelight's reference implementation (pycommunityid 1.x, `CommunityID(seed).calc(FlowTuple…)`),
 * run apart from this code.
 */
const ID = (proto: number, saddr: string, daddr: string, sport?: number, dport?: number, seed = 0) =>
  communityId({ proto, saddr, daddr, ...(sport === undefined ? {} : { sport }), ...(dport === undefined ? {} : { dport }) }, seed);

describe('communityId, ICMP request and reply pairs', () => {
  const pairs: readonly [number, string, string, number, number, string][] = [
    [1, '10.0.0.1', '10.0.0.2', 13, 14, '1:6zK3cgZa+RmEpj3VhWmGXnOWUZk='],
    [1, '10.0.0.1', '10.0.0.2', 15, 16, '1:cB4rCi6yiOWeiOghtxw4EOnHisM='],
    [1, '10.0.0.1', '10.0.0.2', 10, 9, '1:qhJTvE/Qez7ZPSOGlcKJAzRpSO0='],
    [1, '10.0.0.1', '10.0.0.2', 17, 18, '1:pBxqyIdNW2nuGKUHpPBwrujq1iE='],
    [58, '2001:db8::1', '2001:db8::2', 130, 131, '1:00K5zJ2eLsDMSeSVZcN3NeAa3kQ='],
    [58, '2001:db8::1', '2001:db8::2', 139, 140, '1:Sk22M0RiSzqPc3Ud7RgLkieiFvo='],
    [58, '2001:db8::1', '2001:db8::2', 144, 145, '1:ms66bqjCiS0Nx3DNXCp9wH22xNw='],
  ];

  it('gives a request and its reply, seen in opposite directions, the reference id', () => {
    for (const [proto, a, b, request, reply, id] of pairs) {
      assert.equal(ID(proto, a, b, request, 0), id, `${proto} type ${request}`);
      assert.equal(ID(proto, b, a, reply, 0), id, `${proto} type ${reply}`);
    }
  });

  it('keeps one-way messages in their direction, with the code in place of the port', () => {
    assert.equal(ID(1, '10.0.0.2', '10.0.0.1', 3, 1), '1:JHjlyD5IJJjl3wHWOMj46lLWZag=');
    assert.equal(ID(1, '10.0.0.1', '10.0.0.2', 3, 1), '1:gkoOC4ouXvyYq0Ek/WqwbLoqcxM=');
    assert.equal(ID(58, '2001:db8::2', '2001:db8::1', 1, 4), '1:qxd1LeYGiZWewhdgFCEH4g39f1w=');
  });

  it('treats a type beyond 255 as one-way, as the types without a pair', () => {
    const there = ID(1, '10.0.0.2', '10.0.0.1', 256, 0);
    assert.ok(there?.startsWith('1:'));
    assert.notEqual(ID(1, '10.0.0.1', '10.0.0.2', 256, 0), there);
  });
});

describe('communityId at its limits', () => {
  it('takes ports, protocol and seed at their largest', () => {
    assert.equal(ID(6, '10.0.0.1', '10.0.0.2', 65535, 65535), '1:qvjkHtT/Bw0nBcJUbGY2ukkTmAI=');
    assert.equal(ID(17, '10.0.0.2', '10.0.0.1', 0, 65535), '1:PYUQOEYSsQIjW5taDY+QrLjQOA4=');
    assert.equal(ID(255, '10.0.0.1', '10.0.0.2'), '1:tMwuJmYVaATQcuCoC2THtWJpum0=');
    assert.equal(ID(6, '10.0.0.1', '10.0.0.2', 1, 2, 65535), '1:hqMPs7yrdeVCiJFKuSApxRb1hOo=');
  });

  it('orders equal addresses by port, and keeps equal ports as they are', () => {
    assert.equal(ID(6, '10.0.0.1', '10.0.0.1', 80, 1234), '1:WaobEo3Uyp/JjlL9QX3lvrl1Oag=');
    assert.equal(ID(6, '10.0.0.1', '10.0.0.1', 1234, 80), '1:WaobEo3Uyp/JjlL9QX3lvrl1Oag=');
    assert.equal(ID(6, '10.0.0.1', '10.0.0.1', 80, 80), '1:xK6lw4idWvrwNwOsMmGICgbsxLc=');
  });

  it('hashes IPv6 at its longest written form and with an IPv4 tail after six groups', () => {
    assert.equal(ID(6, '0000:0000:0000:0000:0000:ffff:255.255.255.255', '::1', 1, 2), '1:YCNLye7bv6Zi00N4rnrAI1KVBk4=');
    assert.equal(ID(6, '1:2:3:4:5:6:1.2.3.4', '::1:2:3:4:5:6:7', 1, 2), '1:LrB66JZa9bNzDwsfAOZnk7fn+u8=');
  });

  it('refuses ports, protocol and seed that are negative, fractional or one past their range', () => {
    for (const [sport, dport] of [[-1, 1], [1, -1], [1.5, 1], [1, 1.5], [65536, 1], [1, 65536]] as const) {
      assert.equal(ID(6, '10.0.0.1', '10.0.0.2', sport, dport), undefined, `${sport} ${dport}`);
      assert.equal(ID(1, '10.0.0.1', '10.0.0.2', sport, dport), undefined, `icmp ${sport} ${dport}`);
    }
    assert.equal(ID(-1, '10.0.0.1', '10.0.0.2'), undefined);
    assert.equal(ID(2.5, '10.0.0.1', '10.0.0.2'), undefined);
    assert.equal(ID(47, '10.0.0.1', '10.0.0.2', undefined, undefined, -1), undefined);
    assert.equal(ID(47, '10.0.0.1', '10.0.0.2', undefined, undefined, 0.5), undefined);
    assert.equal(ID(17, '10.0.0.1', '10.0.0.2', 1), undefined);
    assert.equal(ID(132, '10.0.0.1', '10.0.0.2', undefined, 1), undefined);
    assert.equal(ID(58, '::1', '::2', 128), undefined);
  });

  it('refuses an address that is none, on either side or on both', () => {
    assert.equal(ID(47, 'nowhere', '10.0.0.2'), undefined);
    assert.equal(ID(6, '-', '-', 1, 2), undefined);
    assert.equal(ID(47, '2001:db8::1', '10.0.0.2'), undefined);
    assert.equal(ID(47, '::1', 'x'), undefined);
  });
});

describe('addressBytes and communityIdOfBytes', () => {
  it('give 4 bytes for IPv4, 16 for IPv6, nothing for what is no address', () => {
    assert.deepEqual(addressBytes('10.1.255.0'), new Uint8Array([10, 1, 255, 0]));
    assert.deepEqual(addressBytes('2001:db8::ff'), new Uint8Array([0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff]));
    assert.equal(addressBytes('10.1.2'), undefined);
    assert.equal(addressBytes(''), undefined);
  });

  it('hash parsed addresses as communityId hashes their text', () => {
    const a = addressBytes('10.0.0.2') as Uint8Array;
    const b = addressBytes('10.0.0.1') as Uint8Array;
    assert.equal(communityIdOfBytes(a, b, 4, 1, 3, 1), '1:JHjlyD5IJJjl3wHWOMj46lLWZag=');
    assert.equal(communityIdOfBytes(b, a, 4, 6, 65535, 65535, 0), ID(6, '10.0.0.1', '10.0.0.2', 65535, 65535));
  });

  it('writeCommunityId writes the same 30 bytes in place, and nothing when there is no ID', () => {
    const a = addressBytes('128.232.110.120') as Uint8Array;
    const b = addressBytes('66.35.250.204') as Uint8Array;
    const out = new Uint8Array(COMMUNITY_ID_LENGTH + 4).fill(0xaa);
    assert.equal(writeCommunityId(out, 2, a, b, 4, 6, 34855, 80), true);
    assert.equal(Buffer.from(out.subarray(2, 2 + COMMUNITY_ID_LENGTH)).toString('latin1'), '1:LQU9qZlK+B5F3KDmev6m5PMibrg=');
    assert.deepEqual([out[0], out[1], out[COMMUNITY_ID_LENGTH + 2], out[COMMUNITY_ID_LENGTH + 3]], [0xaa, 0xaa, 0xaa, 0xaa]);
    const untouched = new Uint8Array(COMMUNITY_ID_LENGTH).fill(0xaa);
    assert.equal(writeCommunityId(untouched, 0, a, b, 4, 6, 34855, undefined), false);
    assert.deepEqual(untouched, new Uint8Array(COMMUNITY_ID_LENGTH).fill(0xaa));
  });
});
