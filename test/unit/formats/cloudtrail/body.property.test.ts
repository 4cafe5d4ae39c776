import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OversizedRecord } from '../../../../src/formats/cloudtrail/body.js';
import { readBody, readSizes } from './helpers.js';

/** Text that tries the scanner: quotes, backslashes, brackets, commas, multi-byte characters, controls. */
const nastyText = fc.array(fc.constantFrom('a', '"', '\\', '\\\\', '{', '}', '[', ']', ',', ':', ' ', 'é', '😀', '\n', '\u0000', '\u2028'), { maxLength: 12 }).map((parts) => parts.join(''));
const nastyJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    nastyText,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(true, false, null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(nastyText, tie('value'), { maxKeys: 4 }),
  ),
})).value;
/** How the body is laid out: compact, or indented by JSON.stringify. */
const indent = fc.constantFrom(0, 1, 2);

describe('CloudTrailBodyReader against JSON.parse of the whole body', () => {
  it('gives exactly the Records entries of any JSON body, other keys around them, in any chunks', () => {
    fc.assert(
      fc.property(fc.array(nastyJson, { maxLength: 6 }), nastyJson, nastyJson, indent, fc.integer({ min: 1, max: 40 }), (records, before, after, space, size) => {
        const text = JSON.stringify({ before, Records: records, after }, null, space);
        const read = readBody(text, size);
        assert.deepEqual(read, { records: JSON.parse(text).Records as unknown[] });
      }),
      { numRuns: 400 },
    );
  });

  it('passes over exactly the entries whose bytes are over the cap, and parses the others', () => {
    fc.assert(
      fc.property(fc.array(nastyJson, { maxLength: 6 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 40 }), (records, cap, size) => {
        const text = `{"Records":[${records.map((r) => JSON.stringify(r)).join(',')}]}`;
        const expected = records.map((r) => {
          const bytes = Buffer.byteLength(JSON.stringify(r));
          return bytes > cap ? new OversizedRecord(bytes, cap) : (JSON.parse(JSON.stringify(r)) as unknown);
        });
        assert.deepEqual(readBody(text, size, cap), { records: expected });
        assert.deepEqual(readSizes(text, size, cap), records.map((r) => Buffer.byteLength(JSON.stringify(r))));
      }),
      { numRuns: 300 },
    );
  });

  it('fails a body cut anywhere, after handing out exactly the entries that ended before the cut', () => {
    fc.assert(
      fc.property(fc.array(nastyJson, { minLength: 1, maxLength: 5 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 40 }), (records, where, size) => {
        const texts = records.map((r) => JSON.stringify(r));
        const text = `{"Records":[${texts.join(',')}]}`;
        const bytes = Buffer.from(text);
        const cut = Math.min(bytes.length - 1, Math.floor(where * bytes.length));
        const read = readBody(bytes.subarray(0, cut), size);
        assert.ok(read.error !== undefined, `a body cut at byte ${cut} of ${bytes.length} passed`);
        // Entry k ends at byte 12 + its text and those before with their commas; a bare number or word is
        // only known to end at the byte after it.
        let end = '{"Records":['.length;
        const whole = texts.filter((t) => {
          end += Buffer.byteLength(t);
          const done = /^[-\dtfn]/.test(t) ? end < cut : end <= cut;
          end += 1;
          return done;
        });
        assert.deepEqual(read.records, whole.map((t) => JSON.parse(t) as unknown));
      }),
      { numRuns: 300 },
    );
  });
});
