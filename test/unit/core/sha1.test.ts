import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SHA1_INPUT, SHA1_MAX_SHORT, sha1Short } from '../../../src/core/sha1.js';

/** sha1Short's digest of `bytes`, written into its input first, as hex. */
function hex(bytes: Uint8Array): string {
  SHA1_INPUT.set(bytes);
  return Buffer.from(sha1Short(bytes.length)).toString('hex');
}

const nodeSha1 = (bytes: Uint8Array): string => createHash('sha1').update(bytes).digest('hex');

describe('sha1Short', () => {
  it('gives FIPS 180-4 known digests ("abc", the empty message)', () => {
    assert.equal(hex(Buffer.from('abc')), 'a9993e364706816aba3e25717850c26c9cd0d89d');
    assert.equal(hex(new Uint8Array(0)), 'da39a3ee5e6b4b0d3255bfef95601890afd80709');
  });

  it('equals node:crypto at every length it takes, 0..55, with bytes 0x00 and 0xff', () => {
    for (let len = 0; len <= SHA1_MAX_SHORT; len++) {
      for (const fill of [0x00, 0xff]) {
        const bytes = new Uint8Array(len).fill(fill);
        assert.equal(hex(bytes), nodeSha1(bytes), `length ${len}, bytes 0x${fill.toString(16)}`);
      }
    }
  });

  it('hashes only the first len bytes of its input, whatever the input held before', () => {
    SHA1_INPUT.fill(0xab);
    SHA1_INPUT.write('0123456789');
    assert.equal(Buffer.from(sha1Short(10)).toString('hex'), nodeSha1(Buffer.from('0123456789')));
  });

  it('equals node:crypto on random messages', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: SHA1_MAX_SHORT }), (bytes) => assert.equal(hex(bytes), nodeSha1(bytes))),
      { numRuns: 5000 },
    );
  });

  it('refuses a message longer than one block holds, or a negative length, naming the limit', () => {
    assert.throws(() => sha1Short(SHA1_MAX_SHORT + 1), { name: 'RangeError', message: 'sha1Short takes 0 to 55 bytes, got 56' });
    assert.throws(() => sha1Short(-1), { name: 'RangeError', message: 'sha1Short takes 0 to 55 bytes, got -1' });
  });
});
