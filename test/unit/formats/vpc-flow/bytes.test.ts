import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Fragment, copy, copyView, viewOf } from '../../../../src/formats/vpc-flow/bytes.js';

/**
 * The flow writer's copies: four bytes at a time and then the rest, so every length modulo 4,
 * every offset (views of a buffer's middle, unaligned positions) and every byte value must come
 * out as a plain slice would. Bytes around what is written stay as they were.
 */

/** A buffer of `size` bytes of 0xee inside a larger one, so that a view of it starts past its buffer's start. */
function inMiddle(size: number, before: number): Uint8Array {
  const whole = new Uint8Array(before + size + 7).fill(0xee);
  return whole.subarray(before, before + size);
}

describe('copyView', () => {
  it('copies any span of any bytes to any position, and nothing else', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 80 }).chain((source) =>
          fc.record({
            source: fc.constant(source),
            start: fc.nat(source.length),
            sourceBefore: fc.nat(9),
            outBefore: fc.nat(9),
            pos: fc.nat(12),
          }),
        ).chain((c) => fc.record({ c: fc.constant(c), end: fc.integer({ min: c.start, max: c.source.length }) })),
        ({ c: { source, start, sourceBefore, outBefore, pos }, end }) => {
          const from = inMiddle(source.length, sourceBefore);
          from.set(source);
          const out = inMiddle(pos + source.length + 4, outBefore);
          const expected = Uint8Array.from(out);
          expected.set(source.subarray(start, end), pos);
          assert.equal(copyView(viewOf(out), pos, viewOf(from), start, end), pos + end - start);
          assert.deepEqual(out, expected);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('Fragment', () => {
  it('writes its text as UTF-8 at any position, of any length', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.nat(9), fc.nat(9), (text, outBefore, pos) => {
        const bytes = Buffer.from(text, 'utf8');
        const fragment = new Fragment(text);
        assert.equal(fragment.length, bytes.length);
        const out = inMiddle(pos + bytes.length + 4, outBefore);
        const expected = Uint8Array.from(out);
        expected.set(bytes, pos);
        assert.equal(fragment.writeTo(viewOf(out), pos), pos + bytes.length);
        assert.deepEqual(out, expected);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('copy', () => {
  it('copies source[start, end) to out[pos] and says where it ended', () => {
    const out = new Uint8Array(8).fill(1);
    assert.equal(copy(out, 2, Uint8Array.of(9, 8, 7, 6, 5), 1, 4), 5);
    assert.deepEqual(out, Uint8Array.of(1, 1, 8, 7, 6, 1, 1, 1));
  });
});
