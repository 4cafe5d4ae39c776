import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { writeDecimal } from '../../../src/core/decimal.js';

/** What writeDecimal writes of `n` between two marker bytes, and where it says it ended. */
function written(n: number, at = 3): { text: string; end: number; around: [number, number] } {
  const out = new Uint8Array(at + 20).fill(0x2a);
  const end = writeDecimal(out, at, n);
  return { text: Buffer.from(out.subarray(at, end)).toString('latin1'), end: end - at, around: [out[at - 1] as number, out[end] as number] };
}

describe('writeDecimal', () => {
  it('writes what String(n) writes, for any safe non-negative integer, and nothing around it', () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat(), fc.maxSafeNat(), fc.integer({ min: 0, max: 99 })), fc.integer({ min: 1, max: 4 }), (n, at) => {
        const { text, end, around } = written(n, at);
        assert.equal(text, String(n));
        assert.equal(end, String(n).length);
        assert.deepEqual(around, [0x2a, 0x2a]);
      }),
      { numRuns: 2000 },
    );
  });

  it('writes each power of ten and the number before it, up to the largest safe integer', () => {
    for (let p = 1; p <= 1e15; p *= 10) for (const n of [p - 1, p, p + 1]) assert.equal(written(n).text, String(n));
    assert.equal(written(Number.MAX_SAFE_INTEGER).text, '9007199254740991');
    assert.equal(written(0).text, '0');
  });
});
