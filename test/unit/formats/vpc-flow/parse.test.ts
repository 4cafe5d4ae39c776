import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_FORMAT, isParseError, parseFormatString, parseHeader, parseRecord,
  type FlowFormat, type FlowRecord, type ParseError,
} from '../../../../src/formats/vpc-flow/parse.js';
import { DEFAULT_FORMAT_STRING } from '../../../../src/formats/vpc-flow/catalogue.js';

const DEFAULT_HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

function format(header: string): FlowFormat {
  const f = parseHeader(header);
  if (isParseError(f)) assert.fail(`header refused: ${f.error}`);
  return f;
}

function record(f: FlowFormat, line: string): FlowRecord['fields'] {
  const r = parseRecord(f, line);
  if (isParseError(r)) assert.fail(`line refused: ${r.error}`);
  return r.fields;
}

function refusal(result: FlowFormat | FlowRecord | ParseError): string {
  assert.ok(isParseError(result), `expected a ParseError, got ${JSON.stringify(result)}`);
  return result.error;
}

describe('parseHeader', () => {
  it('reads the default header into names, types and version 2', () => {
    const f = format(DEFAULT_HEADER);
    assert.equal(f.fields.length, 14);
    assert.equal(f.fields[3], 'srcaddr');
    assert.deepEqual([f.types[0], f.types[3], f.types[8], f.types[10], f.types[12]], ['int', 'ip', 'long', 'epoch_seconds', 'keyword']);
    assert.equal(f.version, 2);
    assert.deepEqual(f.unknownFields, []);
    assert.deepEqual(f, DEFAULT_FORMAT);
  });

  it('splits on runs of whitespace and ignores a trailing \\r', () => {
    assert.deepEqual(format('version  srcaddr\tdstaddr   end\r').fields, ['version', 'srcaddr', 'dstaddr', 'end']);
  });

  it('ignores a byte-order mark before the first name', () => {
    assert.equal(format('\uFEFFversion srcaddr').fields[0], 'version');
  });

  it('takes the highest field version as the format version', () => {
    assert.equal(format('version srcaddr tcp-flags region').version, 4);
    assert.equal(format('version ecs-task-id').version, 7);
  });

  it('keeps an unknown field as a keyword and lists it', () => {
    const f = format('version srcaddr quantum-flux');
    assert.equal(f.types[2], 'keyword');
    assert.deepEqual(f.unknownFields, ['quantum-flux']);
  });

  it('refuses an empty header', () => {
    assert.match(refusal(parseHeader('')), /empty header/);
    assert.match(refusal(parseHeader('  \r')), /empty header/);
  });

  it('refuses a header naming a field twice, naming the field', () => {
    assert.match(refusal(parseHeader('version srcaddr dstaddr srcaddr')), /"srcaddr" twice \(tokens 2 and 4\)/);
  });

  it('refuses a token that is not a field name, such as a data line read as a header', () => {
    assert.match(refusal(parseHeader('version src$addr')), /token 2 "src\$addr" is not a field name/);
    assert.match(refusal(parseHeader('2 123456789010 eni-1235b8ca123456789')), /token 1 "2" is not a field name/);
    assert.match(refusal(parseHeader('version ${srcaddr}')), /is not a field name/);
  });
});

describe('parseFormatString', () => {
  it('reads AWS ${field} syntax into the same format as the header', () => {
    assert.deepEqual(parseFormatString(DEFAULT_FORMAT_STRING), DEFAULT_FORMAT);
    assert.deepEqual(parseFormatString('${version}  ${vpc-id} ${tcp-flags}'), format('version vpc-id tcp-flags'));
  });

  it('refuses a token without ${…}, an empty ${} and duplicates', () => {
    assert.match(refusal(parseFormatString('${version} srcaddr')), /token "srcaddr" is not of the form \$\{field\}/);
    assert.match(refusal(parseFormatString('${version} ${}')), /not of the form/);
    assert.match(refusal(parseFormatString('${end} ${end}')), /format string names field "end" twice/);
    assert.match(refusal(parseFormatString('')), /empty format string/);
  });
});

describe('parseRecord with the default format (AWS examples)', () => {
  const f = DEFAULT_FORMAT;

  it('reads an accepted SSH flow with typed values', () => {
    assert.deepEqual(record(f, '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK'), {
      version: 2, 'account-id': '123456789010', 'interface-id': 'eni-1235b8ca123456789',
      srcaddr: '172.31.16.139', dstaddr: '172.31.16.21', srcport: 20641, dstport: 22, protocol: 6,
      packets: 20, bytes: 4249, start: 1418530010, end: 1418530070, action: 'ACCEPT', 'log-status': 'OK',
    });
  });

  it('reads a rejected RDP flow', () => {
    const r = record(f, '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK');
    assert.equal(r['action'], 'REJECT');
    assert.equal(r['dstport'], 3389);
  });

  it('leaves out every "-" field of a NODATA record', () => {
    assert.deepEqual(record(f, '2 123456789010 eni-1a2b3c4d - - - - - - - 1431280876 1431280934 - NODATA'), {
      version: 2, 'account-id': '123456789010', 'interface-id': 'eni-1a2b3c4d', start: 1431280876, end: 1431280934, 'log-status': 'NODATA',
    });
  });

  it('reads a SKIPDATA record', () => {
    const r = record(f, '2 123456789010 eni-4b118871 - - - - - - - 1431280876 1431280934 - SKIPDATA');
    assert.equal(r['log-status'], 'SKIPDATA');
    assert.equal('srcaddr' in r, false);
  });

  it('reads IPv6 addresses', () => {
    const r = record(f, '2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK');
    assert.equal(r['srcaddr'], '2001:db8:1234:a100:8d6e:3477:df66:f105');
    assert.equal(r['dstaddr'], '2001:db8:1234:a102:3304:8879:34cf:4071');
  });

  it('keeps account-id "unknown" as a string', () => {
    assert.equal(record(f, '2 unknown eni-1 1.2.3.4 5.6.7.8 1 2 17 1 1 1 2 ACCEPT OK')['account-id'], 'unknown');
  });

  it('tolerates leading, trailing and doubled whitespace and a trailing \\r', () => {
    const r = record(f, '  2 123456789010  eni-1 10.0.0.1\t10.0.0.2 1 2 6 3 4 5 6 ACCEPT OK \r');
    assert.equal(r['log-status'], 'OK');
    assert.equal(r['srcaddr'], '10.0.0.1');
  });
});

describe('parseRecord with custom formats', () => {
  it('reads a v3 NAT-gateway record whose packet addresses differ from the flow addresses', () => {
    const f = format('version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status');
    const r = record(f, '3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 - eni-1235b8ca123456789 123456789012 IPv4 10.40.1.175 10.40.2.236 39812 80 10.20.33.164 10.40.2.236 6 124 3 1616729292 1616729349 ACCEPT 3 OK');
    assert.equal('instance-id' in r, false);
    assert.equal(r['pkt-srcaddr'], '10.20.33.164');
    assert.equal(r['tcp-flags'], 3);
    assert.equal(r['type'], 'IPv4');
  });

  it('reads a v5 record with double spaces, AWS service names and flow direction', () => {
    const f = format('version  srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id vpc-id subnet-id instance-id interface-id region az-id sublocation-type sublocation-id action tcp-flags pkt-srcaddr pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service traffic-path flow-direction log-status');
    assert.equal(f.version, 5);
    const r = record(f, '5  52.95.128.179 10.0.0.71 80 34210 6 1616729292 1616729349 IPv4 14 15044 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 19 52.95.128.179 10.0.0.71 S3 - 8 ingress OK');
    assert.equal(r['pkt-src-aws-service'], 'S3');
    assert.equal('pkt-dst-aws-service' in r, false);
    assert.equal(r['traffic-path'], 8);
    assert.equal(r['flow-direction'], 'ingress');
    assert.equal(r['az-id'], 'apse2-az3');
    assert.equal(r['tcp-flags'], 19);
  });

  it('keeps the value of an unknown field as a string, even when it looks like a number', () => {
    assert.deepEqual(record(format('version future-field srcport'), '9 12345 443'), { version: 9, 'future-field': '12345', srcport: 443 });
  });
});

describe('parseRecord refusing bad lines, naming the field', () => {
  const f = DEFAULT_FORMAT;
  const good = ['2', '123456789010', 'eni-1', '172.31.16.139', '172.31.16.21', '20641', '22', '6', '20', '4249', '1418530010', '1418530070', 'ACCEPT', 'OK'];
  const withField = (index: number, value: string): string => good.map((v, i) => (i === index ? value : v)).join(' ');

  it('refuses a wrong field count with expected and got', () => {
    assert.match(refusal(parseRecord(f, good.slice(0, 13).join(' '))), /expected 14 fields .* got 13/);
    assert.match(refusal(parseRecord(f, [...good, 'extra'].join(' '))), /expected 14 fields .* got 15/);
  });

  it('reports the count rather than a shifted value when a field is missing', () => {
    assert.match(refusal(parseRecord(f, good.filter((_, i) => i !== 3).join(' '))), /expected 14 fields/);
  });

  it('calls an empty line an empty line', () => {
    assert.equal(refusal(parseRecord(f, '')), 'empty line');
    assert.equal(refusal(parseRecord(f, ' \r')), 'empty line');
  });

  it('refuses a letter in a number', () => {
    assert.equal(refusal(parseRecord(f, withField(5, '12a'))), 'field "srcport": "12a" is not an unsigned integer');
  });

  it('refuses a fraction, a sign and an exponent', () => {
    assert.match(refusal(parseRecord(f, withField(8, '1.5'))), /field "packets": "1.5" is not an unsigned integer/);
    assert.match(refusal(parseRecord(f, withField(9, '-4'))), /field "bytes": "-4" is not an unsigned integer/);
    assert.match(refusal(parseRecord(f, withField(10, '1e9'))), /field "start": "1e9" is not an unsigned integer/);
  });

  it('refuses a port beyond the 32-bit integer range', () => {
    assert.match(refusal(parseRecord(f, withField(6, '2147483648'))), /field "dstport": "2147483648" exceeds the 32-bit integer range/);
  });

  it('refuses a counter beyond 2^53 rather than rounding it', () => {
    assert.match(refusal(parseRecord(f, withField(9, '9007199254740992'))), /field "bytes": .* exceeds 2\^53/);
    assert.equal(record(f, withField(9, '9007199254740991'))['bytes'], 9007199254740991);
  });

  it('refuses a start time past year 9999', () => {
    assert.match(refusal(parseRecord(f, withField(10, '253402300800'))), /field "start": .* not a Unix time/);
  });

  it('refuses an invalid address', () => {
    for (const bad of ['172.31.16', '172.31.16.256', '01.2.3.4', 'localhost', '2001:db8::1::2', 'fe80::1%eth0']) {
      assert.equal(refusal(parseRecord(f, withField(3, bad))), `field "srcaddr": ${JSON.stringify(bad)} is not an IPv4 or IPv6 address`);
    }
  });

  it('cuts a long bad value short in the reason', () => {
    const reason = refusal(parseRecord(f, withField(3, 'x'.repeat(5000))));
    assert.ok(reason.length < 150, reason);
  });
});
