import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readBody } from './helpers.js';

const errorOf = (bytes: Buffer | string, size?: number): string | undefined => readBody(bytes, size).error;

describe('CloudTrailBodyReader says what a body that is no envelope is, and where', () => {
  it('names the kind of a body that is not an object', () => {
    const expected = (kind: string, where: string): string => `the body is ${kind}, expected an object {"Records":[…]} (${where} of the body; 0 records read before it)`;
    assert.equal(errorOf('[1]'), expected('an array', 'within bytes 0–3'));
    assert.equal(errorOf('"x"'), expected('a string', 'within bytes 0–3'));
    // A number, null, true or false is known only at the end of the text.
    assert.equal(errorOf('5'), expected('a number', 'at byte 1'));
    assert.equal(errorOf('null'), expected('null', 'at byte 4'));
    assert.equal(errorOf('true'), expected('a boolean', 'at byte 4'));
    assert.equal(errorOf('false'), expected('a boolean', 'at byte 5'));
  });

  it('names the kind of a Records that is not an array', () => {
    const expected = (kind: string, to: number): string => `"Records" is ${kind}, expected an array (within bytes 0–${to} of the body; 0 records read before it)`;
    assert.equal(errorOf('{"Records":{"eventID":"1"}}'), expected('an object', 27));
    assert.equal(errorOf('{"Records":"x"}'), expected('a string', 15));
    assert.equal(errorOf('{"Records":5}'), expected('a number', 13));
    assert.equal(errorOf('{"Records":null}'), expected('null', 16));
    assert.equal(errorOf('{"Records":true}'), expected('a boolean', 16));
    assert.equal(errorOf('{"Records":false}'), expected('a boolean', 17));
  });

  it('lists up to six top-level keys of a body without Records', () => {
    const none = (keys: string, at: number): string => `no "Records" array in the body (a digest file or another layout${keys}) (at byte ${at} of the body; 0 records read before it)`;
    assert.equal(errorOf('{}'), none('', 2));
    assert.equal(errorOf('{"records":[]}'), none('; top-level keys: records', 14));
    assert.equal(errorOf('{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6}'), none('; top-level keys: a, b, c, d, e, f', 37));
    assert.equal(errorOf('{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7}'), none('; top-level keys: a, b, c, d, e, f', 43));
  });

  it('calls an empty body, or one of only a byte-order mark, empty', () => {
    const empty = { records: [], error: 'the body is empty (at byte 0 of the body; 0 records read before it)' };
    assert.deepEqual(readBody(Buffer.alloc(0)), empty);
    assert.deepEqual(readBody(Buffer.from([0xef, 0xbb, 0xbf])), empty);
  });

  it('does not call a body empty that has bytes: blanks end early, a lone broken UTF-8 byte is invalid JSON', () => {
    assert.equal(errorOf('   '), 'the body ends early (truncated?): Parser has expected a value (at byte 3 of the body; 0 records read before it)');
    // The decoder holds a lone lead byte until the end, then gives U+FFFD (3 bytes).
    assert.equal(errorOf(Buffer.from([0xc3])), 'invalid JSON: Parser cannot parse input: expected a value (within bytes 0–3 of the body; 0 records read before it)');
  });

  it('counts the records read before an error: none, one, two', () => {
    const early = (at: number, n: string): string => `the body ends early (truncated?): Parser cannot parse input: expected ',' (at byte ${at} of the body; ${n} read before it)`;
    assert.deepEqual(readBody('{"Records":[{"a":1}'), { records: [{ a: 1 }], error: early(19, '1 record') });
    assert.deepEqual(readBody('{"Records":[{"a":1},{"b":2}]'), { records: [{ a: 1 }, { b: 2 }], error: early(28, '2 records') });
    assert.deepEqual(readBody('{"Records":[{"a":1},{"b":2}],'), {
      records: [{ a: 1 }, { b: 2 }],
      error: 'the body ends early (truncated?): Parser cannot parse input: expected an object key (at byte 29 of the body; 2 records read before it)',
    });
  });

  it('says a body cut between records ends early, after the records before the cut', () => {
    assert.deepEqual(readBody('{"Records":[{"a":1},', 12), {
      records: [{ a: 1 }],
      error: 'the body ends early (truncated?): Parser has expected a value (at byte 20 of the body; 1 record read before it)',
    });
  });

  it('places errors in UTF-8 bytes, not characters', () => {
    assert.equal(errorOf('{"Records":[{"é":"ü"}, x]}'), 'invalid JSON: Parser cannot parse input: expected a value (within bytes 0–28 of the body; 0 records read before it)');
    assert.deepEqual(readBody('{"Records":[{"é":"ü"},', 23), { records: [{ é: 'ü' }], error: 'the body ends early (truncated?): Parser has expected a value (at byte 24 of the body; 1 record read before it)' });
  });

  it('places an error in a huge chunk within its 64 KiB slice, keeping the records of the slices before', () => {
    // Entries of 63 characters and a comma: 1 023 end in the first slice, 2 047 in the first two.
    const entries = Array.from({ length: 3500 }, (_, i) => JSON.stringify({ eventID: String(i).padStart(49, '0') }));
    const text = `{"Records":[${entries.join(',')}]}`;
    const comma = 12 + 2100 * 64 - 1;
    assert.equal(text[comma], ',');
    const read = readBody(`${text.slice(0, comma)};${text.slice(comma + 1)}`);
    assert.equal(read.error, "invalid JSON: Parser cannot parse input: expected ',' (within bytes 131072–196608 of the body; 2047 records read before it)");
    assert.deepEqual(read.records, entries.slice(0, 2047).map((e) => JSON.parse(e) as unknown));
    // The same body, whole: every entry, from every slice.
    assert.deepEqual(readBody(text).records, entries.map((e) => JSON.parse(e) as unknown));
  });
});

describe('CloudTrailBodyReader keeps every key as data', () => {
  it('gives __proto__ and constructor keys as own fields, as JSON.parse does', () => {
    const text = '{"Records":[{"__proto__":{"polluted":true},"constructor":"c","eventID":"1"}],"__proto__":{"x":1}}';
    const read = readBody(text);
    assert.deepEqual(read, { records: (JSON.parse(text) as { Records: unknown[] }).Records });
    const [record] = read.records as Record<string, unknown>[];
    assert.equal(Object.getPrototypeOf(record), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(record, '__proto__')?.value, { polluted: true });
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('reads the entries of every Records key when a body repeats it', () => {
    assert.deepEqual(readBody('{"Records":[{"a":1}],"other":[],"Records":[{"b":2}]}'), { records: [{ a: 1 }, { b: 2 }] });
  });
});
