import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADDRESS_FIELDS, DERIVED, DERIVED_MAPPINGS, deriveFields, derivedKeys, isStatusRecord, protocolName, tcpFlagNames,
} from '../../../../src/formats/vpc-flow/derive.js';
import { isParseError, parseHeader, parseRecord, type FlowRecord } from '../../../../src/formats/vpc-flow/parse.js';

/** A record of `header`'s fields from `line`, as the parser makes it. */
function record(header: string, line: string): FlowRecord {
  const format = parseHeader(header);
  if (isParseError(format)) assert.fail(format.error);
  const r = parseRecord(format, line);
  if (isParseError(r)) assert.fail(r.error);
  return r;
}

function derived(header: string, line: string): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  deriveFields(record(header, line).fields, doc);
  return doc;
}

const FLOW = 'version srcaddr dstaddr srcport dstport protocol tcp-flags start end log-status';

describe('protocolName', () => {
  it('names common protocols by their lower-case IANA keyword', () => {
    assert.deepEqual([1, 6, 17, 47, 50, 51, 58, 132].map(protocolName), ['icmp', 'tcp', 'udp', 'gre', 'esp', 'ah', 'ipv6-icmp', 'sctp']);
  });

  it('has no name for numbers outside the table', () => {
    assert.equal(protocolName(253), undefined);
    assert.equal(protocolName(300), undefined);
  });
});

describe('tcpFlagNames', () => {
  it('names each bit, AWS SYN-ACK (18) as SYN and ACK', () => {
    assert.deepEqual(tcpFlagNames(2), ['SYN']);
    assert.deepEqual(tcpFlagNames(18), ['SYN', 'ACK']);
    assert.deepEqual(tcpFlagNames(19), ['FIN', 'SYN', 'ACK']);
    assert.deepEqual(tcpFlagNames(255), ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR']);
  });

  it('gives nothing for 0 or a mask beyond 8 bits', () => {
    assert.equal(tcpFlagNames(0), undefined);
    assert.equal(tcpFlagNames(256), undefined);
  });
});

describe('deriveFields', () => {
  it('derives every field of a TCP record', () => {
    assert.deepEqual(derived(FLOW, '3 10.0.0.62 52.213.180.42 5001 43416 6 18 1566848875 1566848933 OK'), {
      duration_s: 58,
      protocol_name: 'tcp',
      tcp_flags_names: ['SYN', 'ACK'],
      srcaddr_public: false,
      dstaddr_public: true,
      community_id: '1:HQ1oJYZ+9SJOoeju7badiLfvwls=',
    });
  });

  it('names no TCP flags for UDP, and names them when the format has no protocol', () => {
    assert.equal('tcp_flags_names' in derived(FLOW, '3 10.0.0.1 10.0.0.2 53 5353 17 0 1 2 OK'), false);
    assert.equal('tcp_flags_names' in derived(FLOW, '3 10.0.0.1 10.0.0.2 53 5353 17 2 1 2 OK'), false);
    assert.deepEqual(derived('tcp-flags', '1')['tcp_flags_names'], ['FIN']);
  });

  it('leaves duration out when end is before start', () => {
    assert.equal('duration_s' in derived('start end', '100 99'), false);
    assert.equal(derived('start end', '100 100')['duration_s'], 0);
  });

  it('flags packet-level addresses too, IPv6 included', () => {
    const doc = derived('srcaddr dstaddr pkt-srcaddr pkt-dstaddr', '10.0.0.220 10.0.1.5 2600:1f14::1 2001:db8::1');
    assert.deepEqual(doc, { srcaddr_public: false, dstaddr_public: false, 'pkt-srcaddr_public': true, 'pkt-dstaddr_public': false });
  });

  it('hashes the packet-level addresses when the record has them', () => {
    const header = 'srcaddr dstaddr srcport dstport protocol pkt-srcaddr pkt-dstaddr';
    const atNat = derived(header, '10.0.0.220 10.0.1.5 80 39812 6 203.0.113.5 10.0.1.5');
    const atInstance = derived(header, '10.0.1.5 203.0.113.5 39812 80 6 10.0.1.5 203.0.113.5');
    assert.ok(typeof atNat['community_id'] === 'string');
    assert.equal(atNat['community_id'], atInstance['community_id']);
  });

  it('gives ICMP no Community ID (flow logs carry no type or code), other protocols one without ports', () => {
    assert.equal('community_id' in derived(FLOW, '2 10.0.0.1 10.0.0.2 0 0 1 0 1 2 OK'), false);
    assert.equal('community_id' in derived(FLOW, '2 2001:db8::1 2001:db8::2 0 0 58 0 1 2 OK'), false);
    assert.equal(derived(FLOW, '2 10.1.12.1 10.1.12.2 0 0 46 0 1 2 OK')['community_id'], '1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=');
  });

  it('gives a TCP record without ports no Community ID', () => {
    assert.equal('community_id' in derived('srcaddr dstaddr protocol', '10.0.0.1 10.0.0.2 6'), false);
  });

  it('gives a status record only its window length', () => {
    const header = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
    for (const status of ['NODATA', 'SKIPDATA']) {
      assert.deepEqual(derived(header, `2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - ${status}`), { duration_s: 58 });
    }
  });
});

describe('isStatusRecord', () => {
  it('is true for NODATA and SKIPDATA only', () => {
    assert.equal(isStatusRecord(record('log-status', 'NODATA')), true);
    assert.equal(isStatusRecord(record('log-status', 'SKIPDATA')), true);
    assert.equal(isStatusRecord(record('log-status', 'OK')), false);
    assert.equal(isStatusRecord(record('version', '2')), false);
  });
});

describe('derived field mappings', () => {
  it('map exactly the keys deriveFields can write', () => {
    const header = 'srcaddr dstaddr pkt-srcaddr pkt-dstaddr srcport dstport protocol tcp-flags start end';
    const doc = derived(header, '10.0.0.1 8.8.8.8 10.0.0.1 8.8.8.8 40000 53 6 2 1 2');
    assert.deepEqual(Object.keys(doc).sort(), Object.keys(DERIVED_MAPPINGS).sort());
  });

  it('use `_` and never a catalogue name, with one key per address for per-address fields', () => {
    for (const key of Object.keys(DERIVED_MAPPINGS)) assert.ok(key.includes('_'), key);
    assert.deepEqual(derivedKeys(DERIVED.addressClass.fields[0]), ADDRESS_FIELDS.map((f) => `${f}_public`));
    assert.deepEqual(DERIVED_MAPPINGS['srcaddr_public'], { type: 'boolean' });
    assert.deepEqual(DERIVED_MAPPINGS['duration_s'], { type: 'long' });
    assert.deepEqual(DERIVED_MAPPINGS['community_id'], { type: 'keyword' });
  });
});
