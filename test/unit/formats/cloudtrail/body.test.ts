import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CloudTrailBodyReader } from '../../../../src/formats/cloudtrail/body.js';
import { fixture, fixtureRecords, readBody, readSizes } from './helpers.js';

const text = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('CloudTrailBodyReader', () => {
  it('gives every entry of Records, in order, equal to JSON.parse of the whole body', () => {
    const read = readBody(fixture('ec2-iam-events.json'));
    assert.equal(read.error, undefined);
    assert.deepEqual(read.records, fixtureRecords('ec2-iam-events.json'));
  });

  it('gives the same entries when the body arrives in 7-byte chunks, split inside multi-byte characters', () => {
    const records = [{ eventID: 'a', userName: 'Zoë 山田 🚀', nested: { list: [1, 2.5, -3e2, true, null] } }, { eventID: 'b', s: 'x\\"y\n' }];
    const bytes = text(JSON.stringify({ Records: records }));
    for (const size of [1, 2, 3, 7]) {
      const read = readBody(bytes, size);
      assert.equal(read.error, undefined, `chunk size ${size}`);
      assert.deepEqual(read.records, records, `chunk size ${size}`);
    }
  });

  it('keeps a surrogate pair whole when the tokenizer slice boundary falls inside it', () => {
    for (const pad of [65_502, 65_503, 65_504]) {
      // The string starts at character 32: pad 65 503 puts the first 🚀's halves on both sides of 65 536.
      const records = [{ eventID: '1', s: `${'a'.repeat(pad)}🚀🚀b` }];
      assert.deepEqual(readBody(text(JSON.stringify({ Records: records }))).records, records, `pad ${pad}`);
    }
  });

  it('hands out each entry with the chunk that completes it, not at the end of the body', () => {
    const reader = new CloudTrailBodyReader();
    assert.deepEqual(reader.write(text('{"Records":[{"eventID":"1"},{"event')).records, [{ eventID: '1' }]);
    assert.deepEqual(reader.write(text('ID":"2"}')).records, [{ eventID: '2' }]);
    assert.equal(reader.recordsRead, 2);
    assert.deepEqual(reader.write(text(']}')), { records: [], sizes: [] });
    assert.deepEqual(reader.end(), { records: [], sizes: [] });
  });

  it('gives the bytes of each entry\'s JSON beside it, blanks around it left out, in any chunks', () => {
    const body = '{"Records":[ {"eventID":"1", "u":"Zoë"} ,\n\t"é",12,{"a":[{}]}\n]}';
    for (const size of [1, 3, 7, 64]) assert.deepEqual(readSizes(body, size), [27, 4, 2, 10], `chunk size ${size}`);
    // A record over the cap counts all its bytes too.
    assert.deepEqual(readSizes(body, 5, 9), [27, 4, 2, 10]);
  });

  it('passes over other top-level keys, before and after Records, whatever their values', () => {
    const read = readBody(text('{"a":{"Records":[1]},"b":[[{}]],"c":"s","Records":[{"eventID":"x"}],"d":{"e":[1,{"f":null}]},"g":3}'));
    assert.deepEqual(read, { records: [{ eventID: 'x' }] });
  });

  it('counts entries that are not objects as entries (the document stage reports them)', () => {
    assert.deepEqual(readBody(text('{"Records":["s",1,null,true,false,[1],{}]}')).records, ['s', 1, null, true, false, [1], {}]);
  });

  it('accepts an empty Records array and a leading byte-order mark', () => {
    assert.deepEqual(readBody(text('{"Records":[]}')), { records: [] });
    assert.deepEqual(readBody(text('\ufeff{"Records":[{"eventID":"1"}]}')), { records: [{ eventID: '1' }] });
  });
});

describe('CloudTrailBodyReader on bodies that are not CloudTrail logs', () => {
  it('refuses a JSON array body, saying what it found', () => {
    const read = readBody(text('[{"eventID":"1"}]'));
    assert.match(read.error ?? '', /^the body is an array, expected an object \{"Records":\[…\]\} \(at byte 0 of the body; 0 records read before it\)$/);
    assert.deepEqual(read.records, []);
  });

  it('refuses a digest file, naming its top-level keys', () => {
    const read = readBody(fixture('digest.json'));
    assert.match(read.error ?? '', /no "Records" array in the body \(a digest file or another layout; top-level keys: awsAccountId, digestStartTime/);
  });

  it('refuses Records that is not an array', () => {
    assert.match(readBody(text('{"Records":{"eventID":"1"}}')).error ?? '', /"Records" is an object, expected an array/);
  });

  it('names the record a truncated body ends in, and keeps the records before it', () => {
    const whole = fixture('ec2-iam-events.json');
    const read = readBody(whole.subarray(0, Math.floor(whole.length * 0.6)), 64);
    assert.match(read.error ?? '', /^the body ends early \(truncated\?\): inside record 3, which started at byte 3902 \(at byte 4014 of the body; 2 records read before it\)$/);
    assert.deepEqual(read.records, fixtureRecords('ec2-iam-events.json').slice(0, 2));
  });

  it('says a body cut between records ends early, after the last whole record', () => {
    const read = readBody(text('{"Records":[{"eventID":"1"},'));
    assert.match(read.error ?? '', /^the body ends early \(truncated\?\)[^(]*\(at byte 28 of the body; 1 record read before it\)$/);
    assert.deepEqual(read.records, [{ eventID: '1' }]);
  });

  it('names the record and byte range of corrupt JSON', () => {
    const bytes = text('{"Records":[{"eventID":"1"},{"eventID":"2"},{"eventID":"3" "x":1}]}');
    const read = readBody(bytes, 16);
    assert.match(read.error ?? '', /^invalid JSON in record 3: [^(]+ \(within bytes 44–65 of the body; 2 records read before it\)$/);
    assert.deepEqual(read.records, [{ eventID: '1' }, { eventID: '2' }]);
  });

  it('refuses content after the body object', () => {
    const read = readBody(text('{"Records":[{"eventID":"1"}]} {"Records":[]}'), 29);
    assert.match(read.error ?? '', /^invalid JSON: unexpected '\{' where the end of the body was expected \(at byte 30 of the body; 1 record read before it\)$/);
    assert.deepEqual(read.records, [{ eventID: '1' }]);
  });

  it('refuses an empty body', () => {
    assert.equal(readBody(Buffer.alloc(0)).error, 'the body is empty (at byte 0 of the body; 0 records read before it)');
  });

  it('hands out every record before an error in the same chunk', () => {
    const read = readBody(text(`{"Records":[{"eventID":"1"},{"eventID":"2"} x]}`));
    assert.equal(read.error, "invalid JSON: unexpected 'x' where ',' or ']' was expected (at byte 44 of the body; 2 records read before it)");
    assert.deepEqual(read.records, [{ eventID: '1' }, { eventID: '2' }]);
  });

  it('holds no chunk it was given: a caller may fill the same buffer again', () => {
    const whole = Buffer.from('{"Records":[{"eventID":"1","k":"' + 'v'.repeat(50) + '"},{"eventID":"2"}]}');
    const reader = new CloudTrailBodyReader();
    const chunk = Buffer.alloc(16);
    const records: unknown[] = [];
    for (let at = 0; at < whole.length; at += chunk.length) {
      const n = whole.copy(chunk, 0, at, at + chunk.length);
      records.push(...reader.write(chunk.subarray(0, n)).records);
      chunk.fill(0x78);
    }
    records.push(...reader.end().records);
    assert.deepEqual(records, [{ eventID: '1', k: 'v'.repeat(50) }, { eventID: '2' }]);
  });

  it('stays failed after a failure', () => {
    const reader = new CloudTrailBodyReader();
    const first = reader.write(text('[]'));
    assert.ok(first.error);
    assert.deepEqual(reader.write(text('{"Records":[{"eventID":"1"}]}')), { records: [], sizes: [], error: first.error });
    assert.deepEqual(reader.write(text('x')), { records: [], sizes: [], error: first.error });
    assert.deepEqual(reader.end(), { records: [], sizes: [], error: first.error });
  });
});
