import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  LIMITS, MAX_EPOCH_SECONDS, formatFromFields, isParseError, isSpace, parseFormatString, parseHeader, parseRecord,
  type FlowFormat, type FlowRecord, type ParseError,
} from '../../../../src/formats/vpc-flow/parse.js';

/**
 * Both sides of every boundary the parser draws: which characters separate fields, which make a
 * field name, the longest name, each numeric field type's largest value, and the exact texts of
 * its refusals (they reach users as line problems).
 */
function refusal(result: FlowFormat | FlowRecord | ParseError): string {
  assert.ok(isParseError(result), `expected a ParseError, got ${JSON.stringify(result)}`);
  return result.error;
}

function fields(format: FlowFormat | ParseError, line: string): FlowRecord['fields'] {
  if (isParseError(format)) assert.fail(format.error);
  const r = parseRecord(format, line);
  if (isParseError(r)) assert.fail(r.error);
  return r.fields;
}

describe('isSpace', () => {
  it('is true for space, tab, LF, VT, FF and CR only', () => {
    const spaces = [];
    for (let c = 0; c < 256; c++) if (isSpace(c)) spaces.push(c);
    assert.deepEqual(spaces, [9, 10, 11, 12, 13, 32]);
  });
});

describe('field names', () => {
  it('accept names starting with A, Z, a or z and holding digits 0 and 9, "-" and "_"', () => {
    const f = parseHeader('A0 Z9 a-_ z09 Az aZ');
    assert.ok(!isParseError(f), JSON.stringify(f));
    assert.deepEqual(f.fields, ['A0', 'Z9', 'a-_', 'z09', 'Az', 'aZ']);
    assert.deepEqual(f.unknownFields, f.fields);
    assert.deepEqual(f.types, ['keyword', 'keyword', 'keyword', 'keyword', 'keyword', 'keyword']);
    assert.equal(f.version, 0, 'no catalogue field: version 0');
  });

  it('refuse a name starting with a digit, "-" or "_", or holding a character next to the allowed ranges', () => {
    for (const [i, bad] of ['0a', '9a', '-a', '_a', '@a', '[a', '`a', '{a', 'a/', 'a:', 'a@', 'a[', 'a`', 'a{', 'a.b'].entries()) {
      assert.equal(refusal(formatFromFields(['version', bad])), `header token 2 ${JSON.stringify(bad)} is not a field name (letters, digits, "-", "_")`, `${i}: ${bad}`);
    }
  });

  it('accept 64 characters and refuse 65', () => {
    assert.ok(!isParseError(formatFromFields(['x'.repeat(64)])));
    assert.equal(refusal(formatFromFields(['x'.repeat(65)])), `header token 1 "${'x'.repeat(60)}…" is not a field name (letters, digits, "-", "_")`);
  });

  it('name the source in each refusal, the header by default', () => {
    assert.equal(refusal(formatFromFields([])), 'empty header: no field names');
    assert.equal(refusal(formatFromFields([], 'Parquet schema')), 'empty Parquet schema: no field names');
    assert.equal(refusal(formatFromFields(['end', 'start', 'end'])), 'header names field "end" twice (tokens 1 and 3)');
    assert.equal(refusal(parseFormatString('${end} ${x} ${end}')), 'format string names field "end" twice (tokens 1 and 3)');
    assert.equal(refusal(parseFormatString('${1x}')), 'format string token 1 "1x" is not a field name (letters, digits, "-", "_")');
  });

  it('give a format the highest version of its known fields, and keep the names given', () => {
    const names = ['future', 'tcp-flags', 'version', 'resource-type'];
    assert.deepEqual(formatFromFields(names), { fields: names, types: ['keyword', 'int', 'int', 'keyword'], version: 6, unknownFields: ['future'] });
    assert.equal((formatFromFields(['version', 'srcaddr']) as FlowFormat).version, 2);
  });
});

describe('parseHeader', () => {
  it('drops a byte-order mark only at the start, and keeps the first name whole without one', () => {
    assert.deepEqual((parseHeader('version start') as FlowFormat).fields, ['version', 'start']);
    assert.deepEqual((parseHeader('\uFEFFstart') as FlowFormat).fields, ['start']);
    assert.match(refusal(parseHeader('start \uFEFFend')), /token 2 "\\ufeffend" is not a field name/);
  });

  it('splits names at every whitespace character', () => {
    assert.deepEqual((parseHeader('\ta\nb\u000bc\u000cd\re  f ') as FlowFormat).fields, ['a', 'b', 'c', 'd', 'e', 'f']);
  });
});

describe('parseFormatString', () => {
  it('reads the shortest token ${x}', () => {
    assert.deepEqual(parseFormatString('${x} ${start}'), formatFromFields(['x', 'start'], 'format string'));
  });

  it('refuses a token that does not start with ${ or end with }', () => {
    // Short ones are refused by their length too; the long ones only by their first or last characters.
    for (const bad of ['{x}', '$x}', '${x', 'x}', '${}', '$}', '{abc}', '$abc}', '${abc', '${abc}x', 'x${abc}']) {
      assert.equal(refusal(parseFormatString(`\${start} ${bad}`)), `format string token ${JSON.stringify(bad)} is not of the form \${field}`, bad);
    }
    assert.equal(refusal(parseFormatString(' \t')), 'empty format string: no field names');
  });
});

describe('parseRecord at the limits of each number type', () => {
  const f = formatFromFields(['srcport', 'bytes', 'start']) as FlowFormat;

  it('keeps the largest int, long and epoch second, with leading zeros read as decimal', () => {
    assert.deepEqual(fields(f, `2147483647 ${Number.MAX_SAFE_INTEGER} ${MAX_EPOCH_SECONDS}`), {
      srcport: 2_147_483_647, bytes: Number.MAX_SAFE_INTEGER, start: MAX_EPOCH_SECONDS,
    });
    assert.deepEqual(fields(f, '0 0099 0'), { srcport: 0, bytes: 99, start: 0 });
    assert.deepEqual(fields(f, '1234567890 9876543210 1700000000'), { srcport: 1_234_567_890, bytes: 9_876_543_210, start: 1_700_000_000 });
  });

  it('refuses one more than each, with the type named', () => {
    assert.equal(refusal(parseRecord(f, '2147483648 1 1')), 'field "srcport": "2147483648" exceeds the 32-bit integer range');
    assert.equal(refusal(parseRecord(f, '1 9007199254740992 1')), 'field "bytes": "9007199254740992" exceeds 2^53 and cannot be kept exactly');
    assert.equal(refusal(parseRecord(f, '1 1 253402300800')), 'field "start": "253402300800" is not a Unix time before year 10000');
  });

  it('refuses the characters just outside the digits', () => {
    for (const bad of ['1/', '1:', '/', ':', '+1', '-1', '--']) {
      assert.equal(refusal(parseRecord(f, `${bad} 1 1`)), `field "srcport": ${JSON.stringify(bad)} is not an unsigned integer`, bad);
    }
  });

  it('publishes the limits it checks', () => {
    assert.deepEqual(LIMITS, { int: 2_147_483_647, long: Number.MAX_SAFE_INTEGER, epoch_seconds: 253_402_300_799, ip: 0, keyword: 0 });
  });
});

describe('parseRecord, values and counts', () => {
  it('leaves a lone "-" out, and keeps a longer token starting with "-" as a keyword', () => {
    const f = formatFromFields(['action', 'log-status', 'srcaddr']);
    assert.deepEqual(fields(f, '- -x -'), { 'log-status': '-x' });
    assert.deepEqual(fields(f, 'a b ::1'), { action: 'a', 'log-status': 'b', srcaddr: '::1' });
  });

  it('takes IPv4 and IPv6 addresses as they are written, and refuses a zone id on either', () => {
    const f = formatFromFields(['srcaddr', 'dstaddr']);
    assert.deepEqual(fields(f, '0.0.0.0 ::ffff:10.0.0.1'), { srcaddr: '0.0.0.0', dstaddr: '::ffff:10.0.0.1' });
    assert.equal(refusal(parseRecord(f as FlowFormat, '10.0.0.1 fe80::1%1')), 'field "dstaddr": "fe80::1%1" is not an IPv4 or IPv6 address');
    assert.equal(refusal(parseRecord(f as FlowFormat, '10.0.0.1%1 ::1')), 'field "srcaddr": "10.0.0.1%1" is not an IPv4 or IPv6 address');
  });

  it('reports the first bad value, not a later one, and a count error before either', () => {
    const f = formatFromFields(['srcport', 'dstport', 'srcaddr']) as FlowFormat;
    assert.equal(refusal(parseRecord(f, 'x y z')), 'field "srcport": "x" is not an unsigned integer');
    assert.equal(refusal(parseRecord(f, '1 y 1.2.3.4')), 'field "dstport": "y" is not an unsigned integer');
    assert.equal(refusal(parseRecord(f, '1 2 z')), 'field "srcaddr": "z" is not an IPv4 or IPv6 address');
    assert.equal(refusal(parseRecord(f, 'x y z w')), 'expected 3 fields (per the format), got 4');
    assert.equal(refusal(parseRecord(f, 'x')), 'expected 3 fields (per the format), got 1');
    assert.equal(refusal(parseRecord(f, '\t\n')), 'empty line');
  });

  it('splits values at every whitespace character', () => {
    const f = formatFromFields(['srcport', 'dstport', 'action', 'log-status', 'bytes']);
    assert.deepEqual(fields(f, '\t1\n2\u000bA\u000cB\r3 '), { srcport: 1, dstport: 2, action: 'A', 'log-status': 'B', bytes: 3 });
  });
});
