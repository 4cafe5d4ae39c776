import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Enricher } from '../../../../src/enrich/types.js';
import { DEFAULT_FORMAT, formatFromFields, type FlowFormat } from '../../../../src/formats/vpc-flow/parse.js';
import { FlowWriter } from '../../../../src/formats/vpc-flow/writer.js';
import { written } from '../../../helpers/flow-writer.js';

/**
 * The writer's exact bytes on chosen lines, written out by hand: key order, nulls (`-`), escapes,
 * status records, IPv6, numbers at their limits, derived fields and enrichment. The property test
 * holds the writer equal to the reference path; these pin what both must write.
 */
const OBJECT = 's3://b/k';
const LOG = (line: number) => `"log":{"object":"s3://b/k","line":${line}}`;
const NOBODY: Enricher = { lookup: () => undefined };
/** Knows one public address, as the GeoIP test databases do. */
const KNOWS: Enricher = {
  lookup: (ip) => (ip === '81.2.69.142' ? { geo: { country_iso_code: 'GB', city_name: 'London' }, as: { number: 20712, organization: 'Andrews & Arnold' } } : undefined),
};

function writer(format: FlowFormat | readonly string[], enricher: Enricher = NOBODY, object = OBJECT): FlowWriter {
  const f = 'fields' in format ? format : (formatFromFields(format) as FlowFormat);
  const w = FlowWriter.compile(f, enricher, object);
  if (w === undefined) assert.fail('no writer for the format');
  return w;
}

/** The document of `line`, asserting the writer takes it. */
function json(w: FlowWriter, line: string | Buffer, lineNo = 1): string {
  assert.equal(w.scan(typeof line === 'string' ? Buffer.from(line) : line), true, String(line));
  return written(w, lineNo);
}

const ACCEPT = '2 123456789010 eni-1 10.0.0.1 81.2.69.142 22 20641 6 20 4249 1418530010 1418530070 ACCEPT OK';
const ACCEPT_FIELDS = '"version":2,"account-id":"123456789010","interface-id":"eni-1","srcaddr":"10.0.0.1","dstaddr":"81.2.69.142",'
  + '"srcport":22,"dstport":20641,"protocol":6,"packets":20,"bytes":4249,"start":1418530010,"end":1418530070,"action":"ACCEPT","log-status":"OK"';
// sha1(seed 0, 10.0.0.1, 81.2.69.142, tcp, 0, 22, 20641), computed apart from the code (Python hashlib).
const ACCEPT_ID = '1:qd43TyFr9x5h4aZTTqs2vqTUoy8=';

describe('FlowWriter, exact documents', () => {
  it('writes a default-format record: @timestamp, AWS fields in order, derived fields, provenance', () => {
    const w = writer(DEFAULT_FORMAT);
    assert.equal(json(w, ACCEPT, 7), `{"@timestamp":"2014-12-14T04:06:50.000Z",${ACCEPT_FIELDS},"duration_s":60,"protocol_name":"tcp",`
      + `"srcaddr_public":false,"dstaddr_public":true,"community_id":"${ACCEPT_ID}",${LOG(7)}}`);
    assert.equal(w.time, 1418530010);
    assert.equal(w.isStatus, false);
  });

  it('adds what the enricher knows of an address after the derived fields', () => {
    assert.equal(json(writer(DEFAULT_FORMAT, KNOWS), ACCEPT), `{"@timestamp":"2014-12-14T04:06:50.000Z",${ACCEPT_FIELDS},"duration_s":60,"protocol_name":"tcp",`
      + `"srcaddr_public":false,"dstaddr_public":true,"community_id":"${ACCEPT_ID}",`
      + `"dstaddr_geo":{"country_iso_code":"GB","city_name":"London"},"dstaddr_as":{"number":20712,"organization":"Andrews & Arnold"},${LOG(1)}}`);
  });

  it('writes NODATA and SKIPDATA records as status documents: no address-based field', () => {
    const w = writer(DEFAULT_FORMAT, KNOWS);
    for (const status of ['NODATA', 'SKIPDATA']) {
      assert.equal(json(w, `2 123456789010 eni-1 - - - - - - - 1431280876 1431280934 - ${status}`, 3),
        `{"@timestamp":"2015-05-10T18:01:16.000Z","version":2,"account-id":"123456789010","interface-id":"eni-1","start":1431280876,"end":1431280934,"log-status":"${status}","duration_s":58,${LOG(3)}}`);
      assert.equal(w.isStatus, true);
    }
  });

  it('takes only the exact words NODATA and SKIPDATA for status', () => {
    const w = writer(['log-status', 'srcaddr']);
    for (const word of ['NODAT', 'NODATAX', 'SKIPDAT', 'SKIPDATAX', 'nodata', 'OK']) {
      assert.equal(json(w, `${word} 10.0.0.1`), `{"log-status":"${word}","srcaddr":"10.0.0.1","srcaddr_public":false,${LOG(1)}}`, word);
      assert.equal(w.isStatus, false, word);
    }
    json(w, '- 10.0.0.1');
    assert.equal(w.isStatus, false, 'no status written');
    assert.equal(writer(['srcaddr']).isStatus, false, 'no log-status field');
  });

  it('writes a record without start as a document without @timestamp, and a record of dashes as provenance alone', () => {
    const w = writer(['action', 'start', 'version']);
    assert.equal(json(w, 'ACCEPT - 2'), `{"action":"ACCEPT","version":2,${LOG(1)}}`);
    assert.equal(w.time, undefined);
    assert.equal(json(w, '- - -', 12), `{${LOG(12)}}`);
    assert.equal(json(writer(['version']), '5'), `{"version":5,${LOG(1)}}`);
  });

  it('escapes quotes, backslashes and control characters in values, keeps other UTF-8 as it is, and escapes the object name', () => {
    const w = writer(['action'], NOBODY, 's3://b/"q"\\k');
    assert.equal(json(w, 'a"b\\c\u0001d\u001fé€😀\u007f'), `{"action":"a\\"b\\\\c\\u0001d\\u001fé€😀\u007f","log":{"object":"s3://b/\\"q\\"\\\\k","line":1}}`);
    assert.equal(json(w, 'plain'), `{"action":"plain","log":{"object":"s3://b/\\"q\\"\\\\k","line":1}}`);
  });

  it('writes numbers without leading zeros, up to each type\'s limit', () => {
    const w = writer(['srcport', 'bytes', 'start', 'end']);
    assert.equal(json(w, `2147483647 ${Number.MAX_SAFE_INTEGER} 0 253402300799`),
      `{"@timestamp":"1970-01-01T00:00:00.000Z","srcport":2147483647,"bytes":9007199254740991,"start":0,"end":253402300799,"duration_s":253402300799,${LOG(1)}}`);
    assert.equal(json(w, '007 00 0 9'), `{"@timestamp":"1970-01-01T00:00:00.000Z","srcport":7,"bytes":0,"start":0,"end":9,"duration_s":9,${LOG(1)}}`);
    for (const bad of ['2147483648 1 1 1', `1 ${Number.MAX_SAFE_INTEGER + 1} 1 1`, '1 1 253402300800 1', '1 1 1 -1', '1 1 1 1.5', '1 1 1 :']) {
      assert.equal(w.scan(Buffer.from(bad)), false, bad);
    }
  });

  it('writes duration only when end is not before start', () => {
    const w = writer(['start', 'end']);
    assert.equal(json(w, '100 100'), `{"@timestamp":"1970-01-01T00:01:40.000Z","start":100,"end":100,"duration_s":0,${LOG(1)}}`);
    assert.equal(json(w, '100 99'), `{"@timestamp":"1970-01-01T00:01:40.000Z","start":100,"end":99,${LOG(1)}}`);
    assert.equal(json(w, '100 -'), `{"@timestamp":"1970-01-01T00:01:40.000Z","start":100,${LOG(1)}}`);
    assert.equal(json(writer(['end']), '5'), `{"end":5,${LOG(1)}}`);
  });

  it('dates each line by its own start, also when an earlier start comes back', () => {
    const w = writer(['start']);
    assert.equal(json(w, '0'), `{"@timestamp":"1970-01-01T00:00:00.000Z","start":0,${LOG(1)}}`);
    assert.equal(json(w, '86400'), `{"@timestamp":"1970-01-02T00:00:00.000Z","start":86400,${LOG(1)}}`);
    assert.equal(json(w, '86400'), `{"@timestamp":"1970-01-02T00:00:00.000Z","start":86400,${LOG(1)}}`);
    assert.equal(json(w, '0'), `{"@timestamp":"1970-01-01T00:00:00.000Z","start":0,${LOG(1)}}`);
  });
});

describe('FlowWriter, derived fields', () => {
  const w = writer(['protocol', 'tcp-flags']);

  it('names the protocol when IANA has a keyword for it, and TCP flags for TCP only', () => {
    assert.equal(json(w, '6 18'), `{"protocol":6,"tcp-flags":18,"protocol_name":"tcp","tcp_flags_names":["SYN","ACK"],${LOG(1)}}`);
    assert.equal(json(w, '6 255'), `{"protocol":6,"tcp-flags":255,"protocol_name":"tcp","tcp_flags_names":["FIN","SYN","RST","PSH","ACK","URG","ECE","CWR"],${LOG(1)}}`);
    assert.equal(json(w, '17 2'), `{"protocol":17,"tcp-flags":2,"protocol_name":"udp",${LOG(1)}}`);
    assert.equal(json(w, '0 1'), `{"protocol":0,"tcp-flags":1,"protocol_name":"hopopt",${LOG(1)}}`);
    assert.equal(json(w, '137 0'), `{"protocol":137,"tcp-flags":0,"protocol_name":"mpls-in-ip",${LOG(1)}}`);
    assert.equal(json(w, '255 256'), `{"protocol":255,"tcp-flags":256,${LOG(1)}}`);
    assert.equal(json(w, '256 1'), `{"protocol":256,"tcp-flags":1,${LOG(1)}}`);
    assert.equal(json(w, '- 1'), `{"tcp-flags":1,"tcp_flags_names":["FIN"],${LOG(1)}}`);
    assert.equal(json(w, '6 -'), `{"protocol":6,"protocol_name":"tcp",${LOG(1)}}`);
  });

  it('hashes the packet-level addresses when both are there, srcaddr/dstaddr otherwise', () => {
    const p = writer(['srcaddr', 'dstaddr', 'pkt-srcaddr', 'pkt-dstaddr', 'protocol']);
    // GRE hashes no ports: sha1(seed 0, 10.1.12.1, 10.1.12.2, 47, 0), computed apart (Python hashlib; it gives the spec baseline for 46).
    const head = '"srcaddr":"10.0.0.1","dstaddr":"10.0.0.2"';
    assert.equal(json(p, '10.0.0.1 10.0.0.2 10.1.12.1 10.1.12.2 47'), `{${head},"pkt-srcaddr":"10.1.12.1","pkt-dstaddr":"10.1.12.2","protocol":47,"protocol_name":"gre",`
      + `"srcaddr_public":false,"dstaddr_public":false,"pkt-srcaddr_public":false,"pkt-dstaddr_public":false,"community_id":"1:DGkR+bCBNxKYP4mTZ2jyjj/8dck=",${LOG(1)}}`);
    assert.equal(json(p, '10.1.12.1 10.1.12.2 10.0.0.1 - 47'), `{"srcaddr":"10.1.12.1","dstaddr":"10.1.12.2","pkt-srcaddr":"10.0.0.1","protocol":47,"protocol_name":"gre",`
      + `"srcaddr_public":false,"dstaddr_public":false,"pkt-srcaddr_public":false,"community_id":"1:DGkR+bCBNxKYP4mTZ2jyjj/8dck=",${LOG(1)}}`);
    assert.equal(json(p, '10.1.12.1 10.1.12.2 - 10.0.0.1 47'), `{"srcaddr":"10.1.12.1","dstaddr":"10.1.12.2","pkt-dstaddr":"10.0.0.1","protocol":47,"protocol_name":"gre",`
      + `"srcaddr_public":false,"dstaddr_public":false,"pkt-dstaddr_public":false,"community_id":"1:DGkR+bCBNxKYP4mTZ2jyjj/8dck=",${LOG(1)}}`);
  });

  it('writes IPv6 addresses, hashes them, and gives mixed families, ICMP and a missing address no Community ID', () => {
    const p = writer(['srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol']);
    // sha1(seed 0, 2001:db8::1, 2600:1f14::1, udp, 0, 53, 5353), computed apart (Python hashlib).
    assert.equal(json(p, '2600:1f14::1 2001:db8::1 5353 53 17'), '{"srcaddr":"2600:1f14::1","dstaddr":"2001:db8::1","srcport":5353,"dstport":53,"protocol":17,"protocol_name":"udp",'
      + `"srcaddr_public":true,"dstaddr_public":false,"community_id":"1:0zcN3DClc+sJLsONoljJPkPU2a0=",${LOG(1)}}`);
    assert.equal(json(p, '10.0.0.1 2001:db8::1 1 2 17'), `{"srcaddr":"10.0.0.1","dstaddr":"2001:db8::1","srcport":1,"dstport":2,"protocol":17,"protocol_name":"udp","srcaddr_public":false,"dstaddr_public":false,${LOG(1)}}`);
    assert.equal(json(p, '10.0.0.1 10.0.0.2 0 0 1'), `{"srcaddr":"10.0.0.1","dstaddr":"10.0.0.2","srcport":0,"dstport":0,"protocol":1,"protocol_name":"icmp","srcaddr_public":false,"dstaddr_public":false,${LOG(1)}}`);
    assert.equal(json(p, '::1 ::2 0 0 58'), `{"srcaddr":"::1","dstaddr":"::2","srcport":0,"dstport":0,"protocol":58,"protocol_name":"ipv6-icmp","srcaddr_public":false,"dstaddr_public":false,${LOG(1)}}`);
    assert.equal(json(p, '10.0.0.1 - 1 2 17'), `{"srcaddr":"10.0.0.1","srcport":1,"dstport":2,"protocol":17,"protocol_name":"udp","srcaddr_public":false,${LOG(1)}}`);
    assert.equal(json(p, '10.0.0.1 10.0.0.2 - 2 17'), `{"srcaddr":"10.0.0.1","dstaddr":"10.0.0.2","dstport":2,"protocol":17,"protocol_name":"udp","srcaddr_public":false,"dstaddr_public":false,${LOG(1)}}`);
    assert.equal(json(p, '10.0.0.1 10.0.0.2 1 2 -'), `{"srcaddr":"10.0.0.1","dstaddr":"10.0.0.2","srcport":1,"dstport":2,"srcaddr_public":false,"dstaddr_public":false,${LOG(1)}}`);
  });
});

describe('FlowWriter.scan', () => {
  const w = writer(['srcaddr', 'action']);

  it('refuses a wrong field count, an empty line and an address that is none', () => {
    for (const bad of ['10.0.0.1', '10.0.0.1 A B', '', '  ', 'fe80::1%eth0 A', '10.0.0.256 A', 'A 10.0.0.1']) assert.equal(w.scan(Buffer.from(bad)), false, bad);
  });

  it('splits at every whitespace character and at runs of them', () => {
    for (const sep of [' ', '\t', '\n', '\u000b', '\u000c', '\r', ' \t ']) {
      assert.equal(json(w, `${sep}10.0.0.1${sep}A${sep}`), `{"srcaddr":"10.0.0.1","action":"A","srcaddr_public":false,${LOG(1)}}`, JSON.stringify(sep));
    }
  });

  it('makes room for what the enricher adds, however long, beside a short line', () => {
    // Without the address's JSON, the bound's slack (six bytes for each byte of the line, and room
    // for every derived field) is far less than the city name.
    const city = 'c'.repeat(5000);
    const long: Enricher = { lookup: (ip) => (ip === '81.2.69.142' ? { geo: { city_name: city } } : undefined) };
    assert.equal(json(writer(['dstaddr'], long), '81.2.69.142'), `{"dstaddr":"81.2.69.142","dstaddr_public":true,"dstaddr_geo":{"city_name":"${city}"},${LOG(1)}}`);
  });

  it('reads lines from any place of any buffer and writes where it is told, buffer after buffer', () => {
    // As the reader gives them: lines are views into the chunks read, documents go into its chunks.
    const lines = [ACCEPT, '2 123456789010 eni-2 81.2.69.142 10.0.0.9 443 40000 17 3 300 1418530011 1418530012 REJECT OK'];
    const expected = lines.map((line) => json(writer(DEFAULT_FORMAT, KNOWS), line, 5));
    const chunks = [Buffer.from(`x\n${lines.join('\n')}\n`), Buffer.from(`${lines[1]}\n${lines[0]}`)];
    const at = (chunk: number, line: number) => {
      const text = chunks[chunk]?.toString('latin1') ?? '';
      const start = text.indexOf(lines[line] as string);
      return (chunks[chunk] as Buffer).subarray(start, start + (lines[line] as string).length);
    };
    const outs = [Buffer.alloc(4000), Buffer.alloc(4000).subarray(3)];
    const w = writer(DEFAULT_FORMAT, KNOWS);
    for (const [chunk, line, out, pos] of [[0, 0, 0, 0], [1, 1, 0, 1001], [0, 1, 1, 7], [1, 0, 1, 2002], [1, 1, 0, 3]] as const) {
      assert.equal(w.scan(at(chunk, line)), true);
      const end = w.write(outs[out] as Buffer, pos, 5);
      assert.equal((outs[out] as Buffer).toString('utf8', pos, end), expected[line], `line ${line} of chunk ${chunk} into buffer ${out} at ${pos}`);
    }
  });

  it('writes a document larger than its first buffer whole', () => {
    const big = 'x'.repeat(200_000);
    const bigger = 'y'.repeat(300_000);
    const two = writer(['action', 'log-status']);
    assert.equal(json(two, `${big} ${bigger}`), `{"action":"${big}","log-status":"${bigger}",${LOG(1)}}`);
    assert.equal(json(two, 'a b'), `{"action":"a","log-status":"b",${LOG(1)}}`);
    const many = writer(['action', 'log-status']);
    assert.equal(json(many, `${'é'.repeat(40_000)} ${'"'.repeat(20_000)}`), `{"action":"${'é'.repeat(40_000)}","log-status":"${'\\"'.repeat(20_000)}",${LOG(1)}}`);
  });
});
