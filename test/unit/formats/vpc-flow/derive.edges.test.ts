import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DERIVED, DERIVED_MAPPINGS, LogStatus, TcpFlag, deriveFields, protocolName, tcpFlagNames } from '../../../../src/formats/vpc-flow/derive.js';
import type { FlowRecord } from '../../../../src/formats/vpc-flow/parse.js';

/**
 * The derived fields' rules at their edges, on hand-built records: every protocol keyword (IANA
 * "Assigned Internet Protocol Numbers", lower case), flag names per protocol, which addresses the
 * Community ID hashes when one of a pair is missing, and the status words.
 */
function derived(fields: FlowRecord['fields']): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  deriveFields(fields, doc);
  return doc;
}

describe('protocolName', () => {
  it('names exactly these protocol numbers, by their IANA keyword', () => {
    const named = Object.fromEntries(Array.from({ length: 256 }, (_, n) => [n, protocolName(n)]).filter(([, name]) => name !== undefined));
    assert.deepEqual(named, {
      0: 'hopopt', 1: 'icmp', 2: 'igmp', 4: 'ipv4', 6: 'tcp', 8: 'egp', 17: 'udp', 41: 'ipv6', 43: 'ipv6-route',
      44: 'ipv6-frag', 46: 'rsvp', 47: 'gre', 50: 'esp', 51: 'ah', 58: 'ipv6-icmp', 59: 'ipv6-nonxt', 60: 'ipv6-opts',
      88: 'eigrp', 89: 'ospfigp', 94: 'ipip', 97: 'etherip', 103: 'pim', 108: 'ipcomp', 112: 'vrrp', 115: 'l2tp',
      132: 'sctp', 136: 'udplite', 137: 'mpls-in-ip',
    });
  });
});

describe('tcpFlagNames', () => {
  it('gives each bit its name, in header order', () => {
    assert.deepEqual(TcpFlag, { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32, ECE: 64, CWR: 128 });
    assert.deepEqual([1, 2, 4, 8, 16, 32, 64, 128].map((bit) => tcpFlagNames(bit)), [['FIN'], ['SYN'], ['RST'], ['PSH'], ['ACK'], ['URG'], ['ECE'], ['CWR']]);
    assert.deepEqual(tcpFlagNames(254), ['SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR']);
  });

  it('gives frozen, shared arrays', () => {
    assert.equal(tcpFlagNames(18), tcpFlagNames(18));
    assert.ok(Object.isFrozen(tcpFlagNames(18)));
  });
});

describe('deriveFields on hand-built records', () => {
  it('names flags for TCP or an unknown protocol, never for other protocols or a zero mask', () => {
    assert.deepEqual(derived({ protocol: 6, 'tcp-flags': 2 }), { protocol_name: 'tcp', tcp_flags_names: ['SYN'] });
    assert.deepEqual(derived({ 'tcp-flags': 2 }), { tcp_flags_names: ['SYN'] });
    assert.deepEqual(derived({ protocol: 17, 'tcp-flags': 2 }), { protocol_name: 'udp' });
    assert.deepEqual(derived({ protocol: 6, 'tcp-flags': 0 }), { protocol_name: 'tcp' });
    assert.deepEqual(derived({ protocol: 6, 'tcp-flags': 'SYN' }), { protocol_name: 'tcp' });
    assert.deepEqual(derived({ protocol: '6', 'tcp-flags': 1 }), {});
  });

  it('computes duration from numbers only', () => {
    assert.deepEqual(derived({ start: 5, end: 9 }), { duration_s: 4 });
    assert.deepEqual(derived({ start: '5', end: 9 }), {});
    assert.deepEqual(derived({ start: 5, end: '9' }), {});
  });

  it('flags each address field that holds a string', () => {
    assert.deepEqual(derived({ srcaddr: '8.8.8.8', dstaddr: 1, 'pkt-srcaddr': '10.0.0.1', 'pkt-dstaddr': '1.1.1.1' }), {
      srcaddr_public: true, 'pkt-srcaddr_public': false, 'pkt-dstaddr_public': true,
    });
  });

  it('hashes srcaddr/dstaddr when a packet-level address is missing, and needs both of the pair it hashes', () => {
    // GRE hashes no ports: sha1(seed 0, 10.1.12.1, 10.1.12.2, 47, 0), computed apart (Python hashlib).
    const gre = '1:DGkR+bCBNxKYP4mTZ2jyjj/8dck=';
    const flow = { protocol: 47, srcaddr: '10.1.12.1', dstaddr: '10.1.12.2' };
    assert.equal(derived({ ...flow, 'pkt-srcaddr': '10.9.9.9' })['community_id'], gre);
    assert.equal(derived({ ...flow, 'pkt-dstaddr': '10.9.9.9' })['community_id'], gre);
    assert.equal(derived({ protocol: 47, srcaddr: '10.9.9.8', dstaddr: '10.9.9.9', 'pkt-srcaddr': '10.1.12.1', 'pkt-dstaddr': '10.1.12.2' })['community_id'], gre);
    assert.equal('community_id' in derived({ protocol: 47, srcaddr: '10.1.12.1' }), false);
    assert.equal('community_id' in derived({ protocol: 47, dstaddr: '10.1.12.2' }), false);
    assert.equal('community_id' in derived({ ...flow, protocol: '47' }), false);
    assert.equal('community_id' in derived({ ...flow, protocol: 6, srcport: 1 }), false);
    assert.equal('community_id' in derived({ ...flow, protocol: 6, dstport: 1 }), false);
  });

  it('treats only NODATA and SKIPDATA as status words', () => {
    assert.deepEqual(LogStatus, { ok: 'OK', noData: 'NODATA', skipData: 'SKIPDATA' });
    const flow = { protocol: 6, start: 1, end: 2 };
    assert.deepEqual(derived({ ...flow, 'log-status': 'NODATA' }), { duration_s: 1 });
    assert.deepEqual(derived({ ...flow, 'log-status': 'SKIPDATA' }), { duration_s: 1 });
    assert.deepEqual(derived({ ...flow, 'log-status': 'OK' }), { duration_s: 1, protocol_name: 'tcp' });
  });
});

describe('DERIVED', () => {
  it('declares every derived field with its JSON type and mapping', () => {
    const specs = Object.values(DERIVED).flatMap((c) => c.fields.map((f) => [f.name, f.type, f.mapping.type, 'perAddress' in f]));
    assert.deepEqual(specs, [
      ['protocol_name', 'keyword', 'keyword', false], ['tcp_flags_names', 'keyword[]', 'keyword', false], ['duration_s', 'long', 'long', false],
      ['_public', 'boolean', 'boolean', true], ['community_id', 'keyword', 'keyword', false],
    ]);
    assert.deepEqual(Object.keys(DERIVED_MAPPINGS), [
      'protocol_name', 'tcp_flags_names', 'duration_s', 'srcaddr_public', 'dstaddr_public', 'pkt-srcaddr_public', 'pkt-dstaddr_public', 'community_id',
    ]);
  });
});
