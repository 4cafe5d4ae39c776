import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CloudTrailBodyReader, DEFAULT_MAX_RECORD_BYTES, OversizedRecord, RECORDS_KEY } from '../../../../src/formats/cloudtrail/body.js';
import { readBody, type BodyRead } from './helpers.js';

/** What a record counts against the cap: the bytes of its JSON as the body has it. `{"a":"b"}` counts 9. */
const readEntries = (bodyText: string, cap?: number, size?: number): BodyRead => readBody(bodyText, size, cap);

const entries = (...texts: string[]): string => `{"Records":[${texts.join(',')}]}`;

describe('CloudTrailBodyReader cap on one record', () => {
  it('parses a record at the cap and one under it, and passes over one a byte over it', () => {
    const record = '{"a":"b"}';
    assert.deepEqual(readEntries(entries(record), 10), { records: [{ a: 'b' }] });
    assert.deepEqual(readEntries(entries(record), 9), { records: [{ a: 'b' }] });
    assert.deepEqual(readEntries(entries(record), 8), { records: [new OversizedRecord(9, 8)] });
  });

  it('counts the bytes of UTF-8 text, blanks and escapes as they are in the body', () => {
    const record = '{ "é" : "\\u00e9" }';
    assert.equal(Buffer.byteLength(record), 19);
    assert.deepEqual(readEntries(entries(record), 19), { records: [{ é: 'é' }] });
    assert.deepEqual(readEntries(entries(record), 18), { records: [new OversizedRecord(19, 18)] });
  });

  it('caps scalar entries too, by their bytes', () => {
    assert.deepEqual(readEntries(entries('"abcd"', '123456', 'true', 'null'), 6), { records: ['abcd', 123456, true, null] });
    assert.deepEqual(readEntries(entries('"abcdef"', '123456', 'true', 'false', 'null'), 5), {
      records: [new OversizedRecord(8, 5), new OversizedRecord(6, 5), true, false, null],
    });
  });

  it('counts each record afresh: records just at the cap, one after another, all pass', () => {
    assert.deepEqual(readEntries(entries('{"a":"b"}', '{"c":"d"}', '"abcdefg"'), 9), { records: [{ a: 'b' }, { c: 'd' }, 'abcdefg'] });
  });

  it('finds the end of a record passed over, by its brackets and strings whatever they hold, and reads the records after it', () => {
    const deep = '{"a":{"b":[1,{"c":"x]}\\"}x"}]},"d":{"e":[[2]]}}';
    for (const size of [1, 3, 64]) {
      assert.deepEqual(readEntries(entries('{"e":1}', deep, '{"f":[2]}'), 9, size), { records: [{ e: 1 }, new OversizedRecord(Buffer.byteLength(deep), 9), { f: [2] }] }, `chunks of ${size}`);
    }
  });

  it('passes over a long string entry whatever the chunks, holding none of it, and goes on after it', () => {
    const text = entries('"' + 'x'.repeat(100) + '"', '{"e":1}');
    for (const size of [1, 7, 64, text.length]) {
      assert.deepEqual(readEntries(text, 10, size), { records: [new OversizedRecord(102, 10), { e: 1 }] }, `chunks of ${size}`);
    }
  });

  it('counts an oversized record among the records read', () => {
    const reader = new CloudTrailBodyReader(3);
    assert.deepEqual(reader.write(Buffer.from(entries('{"a":"b"}', '[1]'))).records, [new OversizedRecord(9, 3), [1]]);
    assert.equal(reader.recordsRead, 2);
  });

  it('passes over the values of other top-level keys over the cap, before and after the records', () => {
    const text = `{"digestish":{"long":"${'y'.repeat(50)}"},"${RECORDS_KEY}":[{"a":"b"}],"after":"${'z'.repeat(50)}"}`;
    assert.deepEqual(readEntries(text, 9), { records: [{ a: 'b' }] });
    assert.deepEqual(readEntries(text, 9, 5), { records: [{ a: 'b' }] });
  });

  it('reads a whole body under any cap, the brackets of Records counting for no record', () => {
    assert.deepEqual(readEntries(entries('""', 'true', '{}'), 0), { records: [new OversizedRecord(2, 0), new OversizedRecord(4, 0), new OversizedRecord(2, 0)] });
    assert.deepEqual(readEntries(entries(), 0), { records: [] });
  });

  it('counts the first record of a second Records array afresh', () => {
    assert.deepEqual(readEntries(`{"${RECORDS_KEY}":[],"${RECORDS_KEY}":[{"a":"b"}]}`, 9), { records: [{ a: 'b' }] });
  });

  it('reads top-level keys whatever the record cap, and names one of more than 1 KiB by its size', () => {
    const none = (keys: string, at: number): string => `no "Records" array in the body (a digest file or another layout; top-level keys: ${keys}) (at byte ${at} of the body; 0 records read before it)`;
    assert.deepEqual(readEntries('{"abcdefgh":1}', 1, 1), { records: [], error: none('abcdefgh', 14) });
    assert.deepEqual(readEntries(entries('{"a":"b"}'), 9, 1), { records: [{ a: 'b' }] });
    const long = 'k'.repeat(1022);
    assert.deepEqual(readEntries(`{"${long}":1}`, 9, 100), { records: [], error: none(long, 1028) });
    assert.deepEqual(readEntries(`{"${long}k":1}`, 9, 100), { records: [], error: none('(a key of 1025 bytes)', 1029) });
  });

  it(`caps at ${DEFAULT_MAX_RECORD_BYTES} bytes (1 MiB) by default`, () => {
    assert.equal(DEFAULT_MAX_RECORD_BYTES, 1024 * 1024);
    // {"k":"…"} counts the string plus 8.
    const at = readEntries(entries(`{"k":"${'v'.repeat(DEFAULT_MAX_RECORD_BYTES - 8)}"}`));
    assert.equal(at.error, undefined);
    assert.equal((at.records[0] as { k: string }).k.length, DEFAULT_MAX_RECORD_BYTES - 8);
    const over = readEntries(entries(`{"k":"${'v'.repeat(DEFAULT_MAX_RECORD_BYTES - 7)}"}`));
    assert.deepEqual(over, { records: [new OversizedRecord(DEFAULT_MAX_RECORD_BYTES + 1, DEFAULT_MAX_RECORD_BYTES)] });
  });
});
