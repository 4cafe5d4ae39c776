import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_GROWTH, MAX_TERM_BYTES, cutUtf8, fitBlob, longestFlatTerm } from '../../../../src/formats/cloudtrail/blob.js';

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

describe('cutUtf8', () => {
  it('keeps a string that fits whole', () => {
    assert.equal(cutUtf8('{"a":"b"}', 9), '{"a":"b"}');
    assert.equal(cutUtf8('é', 2), 'é');
  });

  it('cuts ASCII at exactly the byte cap', () => {
    assert.equal(cutUtf8('abcdefghij', 4), 'abcd');
  });

  it('never splits a multi-byte character: it drops the whole character instead', () => {
    // é is 2 bytes, 山 3, 🚀 4 (a surrogate pair in UTF-16).
    assert.equal(cutUtf8('aé', 2), 'a');
    assert.equal(cutUtf8('a山b', 3), 'a');
    assert.equal(cutUtf8('a山b', 4), 'a山');
    for (let cap = 1; cap <= 9; cap += 1) {
      const cut = cutUtf8('a🚀b🚀', cap);
      assert.ok(bytes(cut) <= cap, `cap ${cap}: ${bytes(cut)} bytes`);
      assert.ok('a🚀b🚀'.startsWith(cut), `cap ${cap}: "${cut}" is a prefix`);
      assert.ok(!cut.includes('\ufffd'), `cap ${cap}: no replacement character`);
    }
    assert.equal(cutUtf8('a🚀b🚀', 5), 'a🚀');
    assert.equal(cutUtf8('a🚀b🚀', 4), 'a');
  });

  it('returns the longest prefix that fits, for mixed text at every cap', () => {
    const s = 'x€🚀yé山z'.repeat(3);
    for (let cap = 0; cap <= bytes(s) + 1; cap += 1) {
      const cut = cutUtf8(s, cap);
      const next = [...s].slice(0, [...cut].length + 1).join('');
      assert.ok(bytes(cut) <= cap && s.startsWith(cut), `cap ${cap}`);
      if (cut !== s) assert.ok(bytes(next) > cap, `cap ${cap}: one more character would have fitted`);
    }
  });
});

describe('longestFlatTerm', () => {
  it('counts the field name twice, the path and the value, as OpenSearch 2.19 builds the term', () => {
    // On the local node: under `rp`, key `k`, a 32 758-byte value indexed and 32 759 did not.
    assert.equal(longestFlatTerm('rp', { k: 'B'.repeat(32_758) }), MAX_TERM_BYTES);
    assert.equal(longestFlatTerm('rp', { k: 'B'.repeat(32_759) }), MAX_TERM_BYTES + 1);
  });

  it('walks nested objects and arrays (arrays add nothing to the path)', () => {
    assert.equal(longestFlatTerm('f', { a: [{ bb: 'xyz' }, { c: 1 }] }), 'f.f.a.bb=xyz'.length);
    assert.equal(longestFlatTerm('f', [[{ a: true }]]), 'f.f.a=true'.length);
    assert.equal(longestFlatTerm('f', { a: null }), 0);
  });
});

describe('fitBlob', () => {
  const CAP = 1024;

  it('keeps an object under the cap as an object', () => {
    assert.deepEqual(fitBlob('requestParameters', { instancesSet: { items: [{ instanceId: 'i-1' }] } }, CAP), { kind: 'object' });
  });

  it('keeps an object of exactly the cap, and cuts one byte more', () => {
    const exact = { k: 'a'.repeat(CAP - 8) };
    assert.equal(bytes(JSON.stringify(exact)), CAP);
    assert.deepEqual(fitBlob('f', exact, CAP), { kind: 'object' });
    const over = { k: 'a'.repeat(CAP - 7) };
    const fit = fitBlob('f', over, CAP);
    assert.equal(fit.kind, 'json');
    assert.ok(fit.kind === 'json' && fit.cut && fit.text === JSON.stringify(over).slice(0, CAP));
  });

  it('measures the cap in UTF-8 bytes, not characters', () => {
    const wide = { k: '山'.repeat(400) }; // 408 characters, 1 208 bytes
    const fit = fitBlob('f', wide, CAP);
    assert.ok(fit.kind === 'json' && fit.cut);
    assert.ok(fit.kind === 'json' && bytes(fit.text) <= CAP && JSON.stringify(wide).startsWith(fit.text));
  });

  it('moves an object under the cap whose leaf would be too long a term to JSON text, uncut', () => {
    const value = { policy: 'p'.repeat(MAX_TERM_BYTES) };
    const fit = fitBlob('requestParameters', value, 64 * 1024);
    assert.deepEqual(fit, { kind: 'json', text: JSON.stringify(value), cut: false });
  });

  it('counts the field name twice in a term, at the limit: one byte more moves the object to text', () => {
    // requestParameters.requestParameters.k=<value>: 2 × 17 + 3 + 1 bytes before the value.
    const at = { k: 'v'.repeat(MAX_TERM_BYTES - 38) };
    assert.equal(longestFlatTerm('requestParameters', at), MAX_TERM_BYTES);
    assert.deepEqual(fitBlob('requestParameters', at, 64 * 1024), { kind: 'object' });
    const over = { k: 'v'.repeat(MAX_TERM_BYTES - 37) };
    assert.deepEqual(fitBlob('requestParameters', over, 64 * 1024), { kind: 'json', text: JSON.stringify(over), cut: false });
  });

  it('keeps a big object whose leaves are all short (2000 keys)', () => {
    const wide = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`key${i}`, `value-${i}`.repeat(3)]));
    assert.ok(bytes(JSON.stringify(wide)) > MAX_TERM_BYTES);
    assert.deepEqual(fitBlob('responseElements', wide, 256 * 1024), { kind: 'object' });
  });

  it('gives a scalar blob as its text, cut when over the cap; null and undefined stay', () => {
    assert.deepEqual(fitBlob('f', '{"inner":"json"}', CAP), { kind: 'json', text: '{"inner":"json"}', cut: false });
    assert.deepEqual(fitBlob('f', 42, CAP), { kind: 'json', text: '42', cut: false });
    assert.deepEqual(fitBlob('f', false, CAP), { kind: 'json', text: 'false', cut: false });
    assert.deepEqual(fitBlob('f', 'x'.repeat(CAP + 1), CAP), { kind: 'json', text: 'x'.repeat(CAP), cut: true });
    assert.deepEqual(fitBlob('f', null, CAP), { kind: 'object' });
    // null stays whatever the cap, even one its text, `null`, would pass.
    assert.deepEqual(fitBlob('f', null, 0), { kind: 'object' });
    assert.deepEqual(fitBlob('f', undefined, CAP), { kind: 'object' }, 'no value: nothing to move to text');
  });
});

describe('blob caps at their edges', () => {
  /** The longest prefix of whole code points within `cap` bytes, found the slow way. */
  const longestPrefix = (s: string, cap: number): string => {
    const points = [...s];
    let best = '';
    for (let n = 0; n <= points.length; n += 1) {
      const prefix = points.slice(0, n).join('');
      if (bytes(prefix) <= cap) best = prefix;
    }
    return best;
  };

  it('cuts before 4-byte characters at both ends of the surrogate range, at every cap', () => {
    for (const s of ['\u{10000}\u{10FFFF}a\u{10000}', `ab${'\u{10FFFF}'.repeat(3)}`, 'é'.repeat(9), '🚀🚀🚀']) {
      for (let cap = 0; cap <= bytes(s) + 1; cap += 1) assert.equal(cutUtf8(s, cap), longestPrefix(s, cap), `${JSON.stringify(s)} at ${cap}`);
    }
  });

  it('counts keys and field names in UTF-8 bytes, and an undefined leaf as nothing', () => {
    assert.equal(longestFlatTerm('f', { é: 'x' }), 'f.f.é=x'.length + 1);
    assert.equal(longestFlatTerm('é', { k: '山' }), bytes('é.é.k=山'));
    assert.equal(longestFlatTerm('f', { a: undefined, b: 'x' }), 'f.f.b=x'.length);
    assert.equal(longestFlatTerm('f', undefined), 0);
  });

  it('keeps a blob whose longest term is exactly the limit, and moves it one byte longer', () => {
    const at = { k: 'B'.repeat(MAX_TERM_BYTES - 'rp.rp.k='.length) };
    assert.equal(longestFlatTerm('rp', at), MAX_TERM_BYTES);
    assert.deepEqual(fitBlob('rp', at, 64 * 1024), { kind: 'object' });
    const over = { k: `${at.k}B` };
    assert.deepEqual(fitBlob('rp', over, 64 * 1024), { kind: 'json', text: JSON.stringify(over), cut: false });
  });

  it('measures a blob exactly when three bytes a character would pass the cap', () => {
    const ascii = { k: 'a'.repeat(500) }; // 508 bytes: 1 524 by the bound
    assert.deepEqual(fitBlob('f', ascii, 1024), { kind: 'object' });
  });

  it('cuts a scalar blob only when its bytes pass the cap', () => {
    assert.deepEqual(fitBlob('f', 'x'.repeat(1024), 1024), { kind: 'json', text: 'x'.repeat(1024), cut: false });
    assert.deepEqual(fitBlob('f', '山'.repeat(341), 1024), { kind: 'json', text: '山'.repeat(341), cut: false });
    assert.deepEqual(fitBlob('f', '山'.repeat(342), 1024), { kind: 'json', text: '山'.repeat(341), cut: true });
    assert.deepEqual(fitBlob('f', undefined, 1024), { kind: 'object' });
  });
});

/**
 * JSON source texts, as bytes, made of what grows most when parsed and printed again: numbers
 * written short (`1e20` prints 21 digits), escapes, invalid UTF-8 bytes (each becomes U+FFFD),
 * multi-byte characters, blanks, repeated keys, long strings.
 */
const SHORT_NUMBERS = ['1e20', '9e20', '1E+20', '-1e20', '1e9', '1e-6', '1e21', '5e-324', '1e400', '-0', '0.1e21', '12'];
const STRING_PARTS: Buffer[] = [
  ...['a', String.raw`\u0041`, String.raw`\/`, String.raw`\u2028`, String.raw`\ud800`, String.raw`\u0000`, String.raw`\n`, String.raw`\"`, 'é', '😀', '\x7f'].map((t) => Buffer.from(t)),
  Buffer.from([0x80]), Buffer.from([0xe2, 0x82]), Buffer.from([0xff]), Buffer.from([0xc0, 0x80]),
];
const jsonString = fc
  .oneof(fc.array(fc.constantFrom(...STRING_PARTS), { maxLength: 10 }), fc.integer({ min: 0, max: 34_000 }).map((n) => [Buffer.from('x'.repeat(n))]))
  .map((parts) => Buffer.concat([Buffer.from('"'), ...parts, Buffer.from('"')]));
const blank = fc.constantFrom('', ' ', '\n  ').map((b) => Buffer.from(b));
const sourceJson: fc.Arbitrary<Buffer> = fc.letrec<{ value: Buffer }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(...SHORT_NUMBERS, 'true', 'false', 'null').map((t) => Buffer.from(t)),
    jsonString,
    fc.array(fc.tuple(blank, tie('value')), { maxLength: 5 }).map((items) => Buffer.concat([Buffer.from('['), ...items.flatMap(([b, v], i) => [Buffer.from(i > 0 ? ',' : ''), b, v]), Buffer.from(']')])),
    fc.array(fc.tuple(fc.oneof(jsonString, fc.constant(Buffer.from('"k"'))), blank, tie('value')), { maxLength: 5 }).map((members) =>
      Buffer.concat([Buffer.from('{'), ...members.flatMap(([k, b, v], i) => [Buffer.from(i > 0 ? ',' : ''), k, b, Buffer.from(':'), v]), Buffer.from('}')])),
  ),
})).value;
/** What the CloudTrail body reader does with an entry's bytes. */
const parse = (source: Buffer): unknown => JSON.parse(source.toString('utf8'));

describe('fitBlob with the bytes of the text the blob was parsed from', () => {
  it('holds JSON.stringify of any parsed value within MAX_GROWTH times its source bytes, and the bound is reached', () => {
    fc.assert(
      fc.property(sourceJson, (source) => {
        assert.ok(bytes(JSON.stringify(parse(source))) <= MAX_GROWTH * source.length, source.toString('latin1'));
      }),
      { numRuns: 2000 },
    );
    assert.equal(bytes(JSON.stringify(parse(Buffer.from('1e20')))), MAX_GROWTH * 4);
  });

  it('decides as it does without them, at every cap around the bound and for field names near the term limit', () => {
    const objects = sourceJson.filter((source) => typeof parse(source) === 'object' && parse(source) !== null);
    fc.assert(
      fc.property(objects, fc.double({ min: 0, max: 8, noNaN: true }), fc.integer({ min: 0, max: 17_000 }), (source, scale, fieldLength) => {
        const value = parse(source);
        const field = 'f'.repeat(fieldLength);
        for (const maxBytes of [Math.floor(scale * source.length), Math.ceil(MAX_GROWTH * source.length), 1 << 20]) {
          assert.deepEqual(fitBlob(field, value, maxBytes, source.length), fitBlob(field, value, maxBytes), `cap ${maxBytes}: ${source.toString('latin1').slice(0, 200)}`);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('measures a blob whose leaf, or field name, makes too long a term, however small its record', () => {
    const leaf = `{"k":"${'x'.repeat(MAX_TERM_BYTES)}"}`;
    assert.deepEqual(fitBlob('f', parse(Buffer.from(leaf)), 1 << 20, leaf.length), { kind: 'json', text: leaf, cut: false });
    // A term holds the field name twice: 2 × 16,383 + `=` + `.k` + `=` + `x` is 5 bytes past the limit.
    const field = 'f'.repeat(16_383);
    assert.deepEqual(fitBlob(field, { k: 'x' }, 1 << 20, 9), { kind: 'json', text: '{"k":"x"}', cut: false });
  });

  it('keeps a blob of a small record as an object without serialising it', () => {
    const value = { toJSON: () => { throw new Error('serialised'); } };
    assert.deepEqual(fitBlob('requestParameters', value, 32_768, 100), { kind: 'object' });
    assert.throws(() => fitBlob('requestParameters', value, 32_768), /serialised/);
    // Just past the bound, it is measured.
    assert.throws(() => fitBlob('requestParameters', value, 524, 100), /serialised/);
    assert.deepEqual(fitBlob('requestParameters', value, 525, 100), { kind: 'object' });
  });
});
