import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readBody } from './helpers.js';

const errorOf = (bytes: Buffer | string, size?: number): string | undefined => readBody(bytes, size).error;

describe('CloudTrailBodyReader says what a body that is no envelope is, and where', () => {
  it('names the kind of a body that is not an object, at its first byte', () => {
    const expected = (kind: string, at: number): string => `the body is ${kind}, expected an object {"Records":[…]} (at byte ${at} of the body; 0 records read before it)`;
    assert.equal(errorOf('[1]'), expected('an array', 0));
    assert.equal(errorOf('"x"'), expected('a string', 0));
    assert.equal(errorOf(' 5'), expected('a number', 1));
    assert.equal(errorOf('-5'), expected('a number', 0));
    assert.equal(errorOf('null'), expected('null', 0));
    assert.equal(errorOf('true'), expected('a boolean', 0));
    assert.equal(errorOf('\n\tfalse'), expected('a boolean', 2));
  });

  it('names the kind of a Records that is not an array, at its first byte', () => {
    const expected = (kind: string, at: number): string => `"Records" is ${kind}, expected an array (at byte ${at} of the body; 0 records read before it)`;
    assert.equal(errorOf('{"Records":{"eventID":"1"}}'), expected('an object', 11));
    assert.equal(errorOf('{"Records":"x"}'), expected('a string', 11));
    assert.equal(errorOf('{"Records": 5}'), expected('a number', 12));
    assert.equal(errorOf('{"Records":null}'), expected('null', 11));
    assert.equal(errorOf('{"Records":true}'), expected('a boolean', 11));
    assert.equal(errorOf('{"Records":false}'), expected('a boolean', 11));
  });

  it('lists up to six top-level keys of a body without Records', () => {
    const none = (keys: string, at: number): string => `no "Records" array in the body (a digest file or another layout${keys}) (at byte ${at} of the body; 0 records read before it)`;
    assert.equal(errorOf('{}'), none('', 2));
    assert.equal(errorOf('{"records":[]}'), none('; top-level keys: records', 14));
    assert.equal(errorOf('{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6}'), none('; top-level keys: a, b, c, d, e, f', 37));
    assert.equal(errorOf('{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7}'), none('; top-level keys: a, b, c, d, e, f', 43));
    // Keys are JSON strings: their escapes are read.
    assert.equal(errorOf('{"R\\u00e9cords":[]}'), none('; top-level keys: Récords', 19));
    assert.deepEqual(readBody('{"Rec\\u006frds":[{"a":1}]}'), { records: [{ a: 1 }] });
  });

  it('calls an empty body, or one of only a byte-order mark, empty', () => {
    const empty = { records: [], error: 'the body is empty (at byte 0 of the body; 0 records read before it)' };
    assert.deepEqual(readBody(Buffer.alloc(0)), empty);
    assert.deepEqual(readBody(Buffer.from([0xef, 0xbb, 0xbf])), empty);
    assert.deepEqual(readBody(Buffer.from([0xef, 0xbb, 0xbf]), 1), empty);
  });

  it('reads past a byte-order mark in any chunks, counting bytes after it; half a mark is invalid JSON', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    for (const size of [1, 2, 3, 100]) {
      assert.deepEqual(readBody(Buffer.concat([bom, Buffer.from('{"Records":[{"a":1}]}')]), size), { records: [{ a: 1 }] }, `chunks of ${size}`);
      assert.equal(readBody(Buffer.concat([bom, Buffer.from('[]')]), size).error, 'the body is an array, expected an object {"Records":[…]} (at byte 0 of the body; 0 records read before it)');
    }
    const half = "invalid JSON: unexpected byte 0xef where a value was expected (at byte 0 of the body; 0 records read before it)";
    assert.equal(errorOf(Buffer.from([0xef, 0xbb, 0x7b]), 1), half);
    assert.equal(errorOf(Buffer.from([0xef, 0xbb])), half);
  });

  it('does not call a body empty that has bytes: blanks end early, a broken UTF-8 byte is invalid JSON', () => {
    assert.equal(errorOf('   '), 'the body ends early (truncated?): expected a value (at byte 3 of the body; 0 records read before it)');
    assert.equal(errorOf(Buffer.from([0xc3])), 'invalid JSON: unexpected byte 0xc3 where a value was expected (at byte 0 of the body; 0 records read before it)');
    assert.equal(errorOf(Buffer.from([0x7b, 0xc3])), "invalid JSON: unexpected byte 0xc3 where a key or '}' was expected (at byte 1 of the body; 0 records read before it)");
  });

  it('says where a body ends early, and what it lacked there', () => {
    const early = (what: string, at: number, n: string): string => `the body ends early (truncated?): ${what} (at byte ${at} of the body; ${n} read before it)`;
    assert.deepEqual(readBody('{"Records":[{"a":1}'), { records: [{ a: 1 }], error: early("expected ',' or ']'", 19, '1 record') });
    assert.deepEqual(readBody('{"Records":[{"a":1},{"b":2}]'), { records: [{ a: 1 }, { b: 2 }], error: early("expected ',' or '}'", 28, '2 records') });
    assert.deepEqual(readBody('{"Records":[{"a":1},{"b":2}],'), { records: [{ a: 1 }, { b: 2 }], error: early('expected a key', 29, '2 records') });
    assert.deepEqual(readBody('{"Records":[{"a":1},'), { records: [{ a: 1 }], error: early('expected a record', 20, '1 record') });
    assert.deepEqual(readBody('{"Records":['), { records: [], error: early("expected a record or ']'", 12, '0 records') });
    assert.deepEqual(readBody('{"Records"'), { records: [], error: early("expected ':'", 10, '0 records') });
    assert.deepEqual(readBody('{"Records":'), { records: [], error: early('expected a value', 11, '0 records') });
    assert.deepEqual(readBody('{'), { records: [], error: early("expected a key or '}'", 1, '0 records') });
    assert.deepEqual(readBody('{"Reco'), { records: [], error: early('inside a key that started at byte 1', 6, '0 records') });
    assert.deepEqual(readBody('{"x":{"y":['), { records: [], error: early('inside the value of "x", which started at byte 5', 11, '0 records') });
    assert.deepEqual(readBody('{"Records":[{"a":1},{"b":"2'), { records: [{ a: 1 }], error: early('inside record 2, which started at byte 20', 27, '1 record') });
    // A number cut at the end is still inside its record: the bracket after it never came.
    assert.deepEqual(readBody('{"Records":[12', 1), { records: [], error: early('inside record 1, which started at byte 12', 14, '0 records') });
  });

  it('places errors in UTF-8 bytes, not characters, whatever the chunks', () => {
    for (const size of [1, 5, 100]) {
      assert.deepEqual(readBody('{"Records":[{"é":"ü"}, x]}', size), {
        records: [{ é: 'ü' }],
        error: "invalid JSON: unexpected 'x' where a record was expected (at byte 25 of the body; 1 record read before it)",
      });
      assert.deepEqual(readBody('{"Records":[{"é":"ü"},', size), { records: [{ é: 'ü' }], error: 'the body ends early (truncated?): expected a record (at byte 24 of the body; 1 record read before it)' });
    }
  });

  it('names the record that is not JSON and its bytes, keeping every record before it in any chunk', () => {
    const entries = Array.from({ length: 3500 }, (_, i) => JSON.stringify({ eventID: String(i).padStart(49, '0') }));
    const bad = '{"eventID":"x" "y":1}';
    const text = `{"Records":[${entries.slice(0, 2100).join(',')},${bad},${entries.slice(2100).join(',')}]}`;
    const from = 12 + 2100 * 64;
    assert.equal(text.slice(from, from + bad.length), bad);
    for (const size of [7, 65536, text.length]) {
      const read = readBody(text, size);
      assert.match(read.error ?? '', new RegExp(`^invalid JSON in record 2101: .+ \\(within bytes ${from}–${from + bad.length} of the body; 2100 records read before it\\)$`), `chunks of ${size}`);
      assert.deepEqual(read.records, entries.slice(0, 2100).map((e) => JSON.parse(e) as unknown), `chunks of ${size}`);
    }
    // The same body without the bad record, whole: every entry.
    assert.deepEqual(readBody(`{"Records":[${entries.join(',')}]}`).records, entries.map((e) => JSON.parse(e) as unknown));
  });

  it('names the byte that breaks the envelope, as a character when it is printable ASCII and by its code otherwise', () => {
    const at = (what: string, where: string, byte: number): string => `invalid JSON: unexpected ${what} where ${where} was expected (at byte ${byte} of the body; 0 records read before it)`;
    assert.equal(errorOf('{1:2}'), at("'1'", "a key or '}'", 1));
    assert.equal(errorOf('{"a":1,[]:2}'), at("'['", 'a key', 7));
    assert.equal(errorOf('{"Records"[]}'), at("'['", "':'", 10));
    assert.equal(errorOf('{"x":}'), at("'}'", 'a value', 5));
    assert.equal(errorOf('+1'), at("'+'", 'a value', 0));
    assert.equal(errorOf('{"Records":[.5]}'), at("'.'", "a record or ']'", 12));
    assert.equal(errorOf(Buffer.from([0x7b, 0x7f])), at('byte 0x7f', "a key or '}'", 1));
    assert.equal(errorOf(Buffer.from([0x7b, 0x01])), at('byte 0x01', "a key or '}'", 1));
    assert.equal(errorOf(Buffer.from([0x7b, 0x7e])), at("'~'", "a key or '}'", 1));
  });

  it('ends a bare number or word at the first byte that cannot be in it, a bracket or a quote too', () => {
    const after = (what: string, byte: number): string => `invalid JSON: unexpected ${what} where ',' or ']' was expected (at byte ${byte} of the body; 1 record read before it)`;
    assert.deepEqual(readBody('{"Records":[1{"a":1}]}'), { records: [1], error: after("'{'", 13) });
    assert.deepEqual(readBody('{"Records":[1[2]]}'), { records: [1], error: after("'['", 13) });
    assert.deepEqual(readBody('{"Records":[true"x"]}'), { records: [true], error: after(`'"'`, 16) });
  });

  it('takes every JSON blank between tokens: space, tab, line feed, carriage return', () => {
    for (const blank of [' ', '\t', '\n', '\r', '\r\n']) {
      const text = ['{', '"Records"', ':', '[', '1', ',', '{"a":1}', ']', ',', '"x"', ':', 'null', '}'].join(blank);
      assert.deepEqual(readBody(`${blank}${text}${blank}`), { records: [1, { a: 1 }] }, JSON.stringify(blank));
    }
  });

  it('checks the values of other top-level keys as JSON too', () => {
    assert.equal(errorOf('{"Records":[],"x":{"a":tru}}'), 'invalid JSON in the value of "x": Unexpected token \'}\' (within bytes 18–27 of the body; 0 records read before it)');
    assert.match(errorOf('{"Records":[],"x":nul}') ?? '', /^invalid JSON in the value of "x": .+ \(within bytes 18–21 of the body; 0 records read before it\)$/);
    assert.match(errorOf('{"x\\q":1}') ?? '', /^invalid JSON in a top-level key: .+ \(within bytes 1–6 of the body; 0 records read before it\)$/);
  });

  it('keeps the content of a broken record out of the message, long or short', () => {
    const secret = 'AKIAEXAMPLESECRET';
    for (const record of [`{"k":"${secret}",x}`, `{"k":"${secret.repeat(20)}",x}`, `{"k":"${secret}" x}`]) {
      const error = errorOf(`{"Records":[${record}]}`) ?? '';
      assert.match(error, /^invalid JSON in record 1: /);
      assert.ok(!error.includes('AKIA'), error);
    }
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
