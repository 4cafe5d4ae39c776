import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CloudTrailBodyReader, DEFAULT_MAX_RECORD_BYTES, OversizedRecord, RECORDS_KEY } from '../../../../src/formats/cloudtrail/body.js';
import { readBody, type BodyRead } from './helpers.js';

/**
 * What a record counts against the cap: the characters of its strings, keys and numbers, plus one
 * for every other token (`{`, `}`, `[`, `]`, `true`, `false`, `null`). `{"a":"b"}` counts 4.
 */
const readEntries = (bodyText: string, cap?: number, size?: number): BodyRead => readBody(bodyText, size, cap);

const entries = (...texts: string[]): string => `{"Records":[${texts.join(',')}]}`;

describe('CloudTrailBodyReader cap on one record', () => {
  it('assembles a record at the cap and one under it, and passes over one a character over it', () => {
    const record = '{"a":"b"}';
    assert.deepEqual(readEntries(entries(record), 5), { records: [{ a: 'b' }] });
    assert.deepEqual(readEntries(entries(record), 4), { records: [{ a: 'b' }] });
    assert.deepEqual(readEntries(entries(record), 3), { records: [new OversizedRecord(4, 3)] });
  });

  it('counts every token of a nested record: 11 characters for {"ab":"cd","e":[1,2]}', () => {
    const record = '{"ab":"cd","e":[1,2]}';
    assert.deepEqual(readEntries(entries(record), 11), { records: [{ ab: 'cd', e: [1, 2] }] });
    assert.deepEqual(readEntries(entries(record), 10), { records: [new OversizedRecord(11, 10)] });
  });

  it('caps scalar entries too, by their characters (one for true, false and null)', () => {
    assert.deepEqual(readEntries(entries('"abcdef"', '123456', 'true', 'null'), 6), { records: ['abcdef', 123456, true, null] });
    assert.deepEqual(readEntries(entries('"abcdef"', '123456', 'true', 'false', 'null'), 5), {
      records: [new OversizedRecord(6, 5), new OversizedRecord(6, 5), true, false, null],
    });
  });

  it('counts each record afresh: records just at the cap, one after another, all pass', () => {
    assert.deepEqual(readEntries(entries('{"a":"b"}', '{"c":"d"}', '"abcd"'), 4), { records: [{ a: 'b' }, { c: 'd' }, 'abcd'] });
  });

  it('finds the end of a record given up deep inside it, and reads the records after it', () => {
    // Given up inside the string at depth 4 (object, object, array, object): 16 characters counted by then.
    const deep = '{"a":{"b":[1,{"c":"xxxxxxxx"}]},"d":{"e":[[2]]}}';
    assert.deepEqual(readEntries(entries('{"e":1}', deep, '{"f":[2]}'), 8), { records: [{ e: 1 }, new OversizedRecord(16, 8), { f: [2] }] });
  });

  it('finds the end of a record given up at an opening or a closing bracket', () => {
    // {"a":{ … : the third token, an opening brace, passes a cap of 2.
    assert.deepEqual(readEntries(entries('{"a":{"b":1}}', '"z"'), 2), { records: [new OversizedRecord(3, 2), 'z'] });
    // {"a":[1] … : the closing bracket is the fifth character.
    assert.deepEqual(readEntries(entries('{"a":[1]}', '{"e":1}'), 4), { records: [new OversizedRecord(5, 4), { e: 1 }] });
  });

  it('gives up a long string entry as it arrives, whatever the chunks, and goes on after it', () => {
    const text = entries('"' + 'x'.repeat(100) + '"', '{"e":1}');
    for (const size of [1, 7, 64, text.length]) {
      const read = readEntries(text, 10, size);
      assert.equal(read.error, undefined, `chunks of ${size}`);
      assert.equal(read.records.length, 2, `chunks of ${size}`);
      const [first] = read.records;
      // Counting stops once the cap is passed: the count is that of the chunk that passed it.
      assert.ok(first instanceof OversizedRecord && first.cap === 10 && first.chars > 10 && first.chars <= 10 + size, `chunks of ${size}`);
      assert.deepEqual(read.records[1], { e: 1 });
    }
  });

  it('counts an oversized record among the records read', () => {
    const reader = new CloudTrailBodyReader(3);
    assert.deepEqual(reader.write(Buffer.from(entries('{"a":"b"}', '[1]'))).records, [new OversizedRecord(4, 3), [1]]);
    assert.equal(reader.recordsRead, 2);
  });

  it('leaves the other top-level keys out of the count, before and after the records', () => {
    const text = `{"digestish":{"long":"${'y'.repeat(50)}"},"${RECORDS_KEY}":[{"a":"b"}],"after":"${'z'.repeat(50)}"}`;
    assert.deepEqual(readEntries(text, 4), { records: [{ a: 'b' }] });
  });

  it('reads a whole body under any cap, the closing bracket of Records counting for no record', () => {
    assert.deepEqual(readEntries(entries('""', 'true', '{}'), 0), { records: ['', new OversizedRecord(1, 0), new OversizedRecord(1, 0)] });
    assert.deepEqual(readEntries(entries(), 0), { records: [] });
  });

  it('counts the first record of a second Records array afresh', () => {
    assert.deepEqual(readEntries(`{"${RECORDS_KEY}":[],"${RECORDS_KEY}":[{"a":"b"}]}`, 4), { records: [{ a: 'b' }] });
  });

  it('keeps a long top-level key name for its message only up to the chunk that passes the cap', () => {
    const none = (keys: string): string => `no "Records" array in the body (a digest file or another layout; top-level keys: ${keys}) (at byte 14 of the body; 0 records read before it)`;
    assert.deepEqual(readEntries('{"abcdefgh":1}', 4, 1), { records: [], error: none('abcde') });
    assert.deepEqual(readEntries('{"abcdefgh":1}', 8, 1), { records: [], error: none('abcdefgh') });
  });

  it(`caps at ${DEFAULT_MAX_RECORD_BYTES} characters (1 MiB) by default`, () => {
    assert.equal(DEFAULT_MAX_RECORD_BYTES, 1024 * 1024);
    // {"k":"…"} counts the string plus 3.
    const at = readEntries(entries(`{"k":"${'v'.repeat(DEFAULT_MAX_RECORD_BYTES - 3)}"}`));
    assert.equal(at.error, undefined);
    assert.equal((at.records[0] as { k: string }).k.length, DEFAULT_MAX_RECORD_BYTES - 3);
    const over = readEntries(entries(`{"k":"${'v'.repeat(DEFAULT_MAX_RECORD_BYTES - 2)}"}`));
    assert.deepEqual(over, { records: [new OversizedRecord(DEFAULT_MAX_RECORD_BYTES + 1, DEFAULT_MAX_RECORD_BYTES)] });
  });
});
