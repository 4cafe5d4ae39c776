import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import murmur from 'murmurhash3js-revisited';
import { WINDOW, murmur3x64DigestWindow, murmur3x64DigestAfter, murmur3x64Hash128, murmur3x64Prefix } from '../../../src/core/murmur128.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** murmur3x64DigestAfter's digest as text. */
const hashAfter = (...args: Parameters<typeof murmur3x64DigestAfter>): string => Buffer.from(murmur3x64DigestAfter(...args)).toString('latin1');

/** Bytes 0, 1, 2, … (mod 256), so that every position of a block or tail holds a distinct value. */
const counting = (length: number): Uint8Array => Uint8Array.from({ length }, (_, i) => i & 0xff);

describe('murmur3x64Hash128', () => {
  it('gives the known hash of "hello"', () => {
    assert.equal(murmur3x64Hash128(utf8('hello')), 'cbd8a7b341bd9b025b1e906a48ae1d19');
  });

  it('gives the known hashes of empty input (seed 0 is all zeros: nothing is mixed in)', () => {
    assert.equal(murmur3x64Hash128(new Uint8Array(0)), '00000000000000000000000000000000');
    assert.equal(murmur3x64Hash128(new Uint8Array(0), 1), murmur.x64.hash128(new Uint8Array(0), 1));
  });

  it('uses 0 as the default seed', () => {
    assert.equal(murmur3x64Hash128(utf8('hello')), murmur3x64Hash128(utf8('hello'), 0));
  });

  it('gives 32 lowercase hex characters', () => {
    assert.match(murmur3x64Hash128(utf8('The quick brown fox jumps over the lazy dog')), /^[0-9a-f]{32}$/);
  });

  it('matches the reference for every tail length 0..15, after zero, one and two blocks', () => {
    for (const blocks of [0, 1, 2]) {
      for (let tail = 0; tail < 16; tail++) {
        const input = counting(blocks * 16 + tail);
        for (const seed of [0, 42, 0xffffffff]) {
          assert.equal(murmur3x64Hash128(input, seed), murmur.x64.hash128(input, seed), `len ${input.length} seed ${seed}`);
        }
      }
    }
  });

  it('matches the reference on long inputs', () => {
    for (const length of [300, 4096, 65_537]) {
      const input = counting(length);
      assert.equal(murmur3x64Hash128(input), murmur.x64.hash128(input), `len ${length}`);
      assert.equal(murmur3x64Hash128(input, 0x9747b28c), murmur.x64.hash128(input, 0x9747b28c), `len ${length}`);
    }
  });

  it('matches the reference on inputs around whole multiples of the WebAssembly window, hashed in parts', () => {
    const w = WINDOW.length;
    assert.equal(w % 16, 0, 'a part is whole blocks');
    for (const length of [w - 1, w, w + 1, w + 16, 2 * w, 2 * w + 15]) {
      const input = counting(length);
      assert.equal(murmur3x64Hash128(input, 3), murmur.x64.hash128(input, 3), `len ${length}`);
      assert.equal(murmur3x64Hash128(input, 3, length - 5), murmur.x64.hash128(input.subarray(0, length - 5), 3), `first ${length - 5} of ${length}`);
    }
  });

  it('treats the seed as an unsigned 32-bit integer, as the reference does', () => {
    const input = utf8('seeded');
    for (const seed of [-1, 2 ** 32, 2 ** 32 + 7, 1.5]) {
      assert.equal(murmur3x64Hash128(input, seed), murmur.x64.hash128(input, seed), `seed ${seed}`);
    }
  });

  it('hashes a subarray view by its own bytes, not its whole buffer', () => {
    const whole = counting(64);
    const view = whole.subarray(5, 5 + 23);
    assert.equal(murmur3x64Hash128(view), murmur.x64.hash128(Uint8Array.from(view)));
  });

  it('equals murmurhash3js-revisited x64.hash128 on random bytes and seeds', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 600 }),
        fc.oneof(fc.nat({ max: 0xffffffff }), fc.integer({ min: -(2 ** 31), max: -1 })),
        (bytes, seed) => {
          assert.equal(murmur3x64Hash128(bytes, seed), murmur.x64.hash128(bytes, seed));
        },
      ),
      { numRuns: 5000 },
    );
  });
});

describe('murmur3x64Prefix and murmur3x64DigestAfter', () => {
  it('hash a prefix and what follows it as murmurhash3js-revisited hashes the whole message', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 100 }), fc.nat({ max: 0xffffffff }), (start, more, seed) => {
        const prefix = murmur3x64Prefix(start, seed);
        const after = Buffer.concat([prefix.rest, more]);
        assert.equal(hashAfter(prefix, after, after.length), murmur.x64.hash128(Buffer.concat([start, more]), seed));
      }),
      { numRuns: 3000 },
    );
  });

  it('keep the whole blocks of the prefix and its last 0–15 bytes apart', () => {
    for (let len = 0; len < 40; len++) {
      const prefix = murmur3x64Prefix(counting(len));
      assert.equal(prefix.mixed, len - (len % 16), `prefix of ${len}`);
      assert.deepEqual(prefix.rest, counting(len).slice(prefix.mixed), `prefix of ${len}`);
    }
  });

  it('hash a prefix longer than the window, and a message after it longer than the window', () => {
    const start = counting(WINDOW.length + 40);
    const more = counting(WINDOW.length + 3).reverse();
    const prefix = murmur3x64Prefix(start, 11);
    const after = Buffer.concat([prefix.rest, more]);
    assert.equal(hashAfter(prefix, after, after.length), murmur.x64.hash128(Buffer.concat([start, more]), 11));
  });

  it('hash a message written into the window in place, and refuse one longer than the window', () => {
    const prefix = murmur3x64Prefix(counting(21), 5);
    WINDOW.set(Buffer.concat([prefix.rest, Buffer.from('in place')]));
    const digest = murmur3x64DigestWindow(prefix, prefix.rest.length + 8);
    assert.equal(Buffer.from(digest).toString('latin1'), murmur.x64.hash128(Buffer.concat([counting(21), Buffer.from('in place')]), 5));
    assert.throws(() => murmur3x64DigestWindow(prefix, WINDOW.length + 1), /a message of 64513 bytes does not fit the window of 64512/);
  });

  it('hash only the first len bytes after the prefix, and leave the prefix as it was for the next message', () => {
    const prefix = murmur3x64Prefix(counting(37), 7);
    const scratch = Buffer.concat([prefix.rest, Buffer.from('abcdefgh'), Buffer.alloc(20, 1)]);
    const whole = (tail: string) => murmur.x64.hash128(Buffer.concat([counting(37), Buffer.from(tail)]), 7);
    assert.equal(hashAfter(prefix, scratch, prefix.rest.length + 8), whole('abcdefgh'));
    assert.equal(hashAfter(prefix, scratch, prefix.rest.length + 3), whole('abc'));
  });
});
