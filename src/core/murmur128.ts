/**
 * MurmurHash3, x64 128-bit variant: Austin Appleby's public-domain `MurmurHash3_x64_128`
 * (https://github.com/aappleby/smhasher/blob/master/src/MurmurHash3.cpp), giving exactly the hex
 * string of `murmurhash3js-revisited`'s `x64.hash128`, without that library's per-operation arrays.
 *
 * Lane representation: JavaScript has no fast 64-bit integer (BigInt allocates), so each 64-bit lane
 * of the C++ code is a pair of local numbers `xHi`/`xLo` holding its upper and lower 32 bits. They
 * are kept as int32 (`| 0`, the bit pattern of the unsigned half) rather than as uint32 (`>>> 0`):
 * V8 keeps int32 values in machine registers, while uint32 values from 2^31 up become doubles (a
 * uint32 version of this code measured about 1.5× slower). Nothing is allocated per block or
 * operation; the only allocation is the result string.
 */

// The multipliers of the C++ reference, split into 32-bit halves.
const C1_HI = 0x87c37b91 | 0;
const C1_LO = 0x114253d5;
const C2_HI = 0x4cf5ad43;
const C2_LO = 0x2745937f;
const FMIX1_HI = 0xff51afd7 | 0;
const FMIX1_LO = 0xed558ccd | 0;
const FMIX2_HI = 0xc4ceb9fe | 0;
const FMIX2_LO = 0x1a85ec53;

/** Char codes of the lowercase hex digits. */
const HEX_DIGITS = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/**
 * Upper 32 bits of the 64-bit product `(xHi:xLo × cHi:cLo) mod 2^64`; its lower 32 bits are
 * `Math.imul(xLo, cLo)`. Returning one half per call, not a pair, keeps callers allocation-free.
 */
function mulHi(xHi: number, xLo: number, cHi: number, cLo: number): number {
  // The carry out of xLo·cLo (its upper 32 bits), from 16-bit limbs: every limb product and every
  // partial sum is an exact integer below 2^32 (the final one below 2^34), so `>>> 16` is exact.
  const x0 = xLo & 0xffff;
  const x1 = xLo >>> 16;
  const c0 = cLo & 0xffff;
  const c1 = cLo >>> 16;
  const mid = ((x0 * c0) >>> 16) + x1 * c0;
  const mid2 = (mid & 0xffff) + x0 * c1;
  const carry = x1 * c1 + (mid >>> 16) + (mid2 >>> 16);
  // The cross terms only reach the upper half, where their own overflow falls off (mod 2^64).
  return (carry + Math.imul(xHi, cLo) + Math.imul(xLo, cHi)) | 0;
}

/** Little-endian 32-bit word at `i` (as int32); callers guarantee `i + 3 < bytes.length`. */
function readWord(bytes: Uint8Array, i: number): number {
  return bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
}

/** Char code of the hex digit of `word` at bit `shift` (a multiple of 4). */
function hexDigit(word: number, shift: number): number {
  return HEX_DIGITS[(word >>> shift) & 15]!;
}

/**
 * 32 hex digits of four 32-bit words, most significant first. One `fromCharCode` call builds a flat
 * string directly, measured faster than concatenating pieces from a lookup table.
 */
function hex128(a: number, b: number, c: number, d: number): string {
  return String.fromCharCode(
    hexDigit(a, 28), hexDigit(a, 24), hexDigit(a, 20), hexDigit(a, 16),
    hexDigit(a, 12), hexDigit(a, 8), hexDigit(a, 4), hexDigit(a, 0),
    hexDigit(b, 28), hexDigit(b, 24), hexDigit(b, 20), hexDigit(b, 16),
    hexDigit(b, 12), hexDigit(b, 8), hexDigit(b, 4), hexDigit(b, 0),
    hexDigit(c, 28), hexDigit(c, 24), hexDigit(c, 20), hexDigit(c, 16),
    hexDigit(c, 12), hexDigit(c, 8), hexDigit(c, 4), hexDigit(c, 0),
    hexDigit(d, 28), hexDigit(d, 24), hexDigit(d, 20), hexDigit(d, 16),
    hexDigit(d, 12), hexDigit(d, 8), hexDigit(d, 4), hexDigit(d, 0),
  );
}

/**
 * 128-bit MurmurHash3 (x64 variant) of `bytes`, as 32 lowercase hex characters: h1 then h2, each
 * as a big-endian 64-bit number. Identical to `murmurhash3js-revisited`'s `x64.hash128(bytes, seed)`.
 *
 * @param bytes - the input; any length.
 * @param seed - taken modulo 2^32 (as the reference does; the C++ seed is a `uint32_t`).
 * @param len - how many leading bytes of `bytes` to hash: a reused scratch buffer needs no view per call.
 */
export function murmur3x64Hash128(bytes: Uint8Array, seed = 0, len = bytes.length): string {
  STATE[0] = 0;
  STATE[1] = seed | 0;
  STATE[2] = 0;
  STATE[3] = seed | 0;
  return hashFrom(STATE, bytes, len, len);
}

/**
 * The hash state after the whole 16-byte blocks of a message's constant start (a document id's
 * bucket and key), so that each message that starts with it hashes only what follows: see
 * {@link murmur3x64Hash128After}.
 */
export interface MurmurPrefix {
  /** h1 and h2 as int32 halves (h1 upper, h1 lower, h2 upper, h2 lower). */
  readonly state: Int32Array;
  /** How many bytes the state has taken in: a multiple of 16. */
  readonly mixed: number;
  /** The prefix's last bytes (0–15), not yet a whole block: each message hashed after it starts with them. */
  readonly rest: Uint8Array;
}

/** Mixes the whole blocks of `prefix` once (see {@link MurmurPrefix}). */
export function murmur3x64Prefix(prefix: Uint8Array, seed = 0): MurmurPrefix {
  const mixed = prefix.length - (prefix.length & 15);
  const state = Int32Array.of(0, seed | 0, 0, seed | 0);
  mixBlocks(state, prefix, mixed);
  return { state, mixed, rest: prefix.slice(mixed) };
}

/**
 * The hash of a message made of a prefix and more, equal to {@link murmur3x64Hash128} of the whole
 * message with the prefix's seed. `bytes[0, len)` is the message from the prefix's first unmixed
 * byte on: it must start with `prefix.rest`.
 */
export function murmur3x64Hash128After(prefix: MurmurPrefix, bytes: Uint8Array, len: number): string {
  STATE.set(prefix.state);
  return hashFrom(STATE, bytes, len, prefix.mixed + len);
}

/** The state being hashed, reused: passed by array so that no call allocates. */
const STATE = new Int32Array(4);

/** Mixes the 16-byte blocks of `bytes[0, end)` (`end` a multiple of 16) into `state`. */
function mixBlocks(state: Int32Array, bytes: Uint8Array, end: number): void {
  let h1Hi = state[0] as number;
  let h1Lo = state[1] as number;
  let h2Hi = state[2] as number;
  let h2Lo = state[3] as number;
  let kHi: number;
  let kLo: number;
  let t: number;

  // Every 64-bit multiply below assigns the upper half first, because mulHi needs the old lower half.
  // A 64-bit addition carries 1 into the upper half when the lower half wrapped, i.e. when the
  // unsigned lower sum is below an addend. (A helper function for this measured ~15 % slower: the
  // calls exhaust V8's inlining budget for this function, and some stay real calls.)
  for (let i = 0; i < end; i += 16) {
    // k1 = block[0]; k1 *= c1; k1 = rotl64(k1, 31); k1 *= c2; h1 ^= k1
    kLo = readWord(bytes, i);
    kHi = readWord(bytes, i + 4);
    kHi = mulHi(kHi, kLo, C1_HI, C1_LO);
    kLo = Math.imul(kLo, C1_LO);
    t = kHi;
    kHi = (kHi << 31) | (kLo >>> 1);
    kLo = (kLo << 31) | (t >>> 1);
    kHi = mulHi(kHi, kLo, C2_HI, C2_LO);
    kLo = Math.imul(kLo, C2_LO);
    h1Hi ^= kHi;
    h1Lo ^= kLo;

    // h1 = rotl64(h1, 27); h1 += h2; h1 = h1 * 5 + 0x52dce729
    t = h1Hi;
    h1Hi = (h1Hi << 27) | (h1Lo >>> 5);
    h1Lo = (h1Lo << 27) | (t >>> 5);
    t = (h1Lo + h2Lo) | 0;
    h1Hi = (h1Hi + h2Hi + (t >>> 0 < h1Lo >>> 0 ? 1 : 0)) | 0;
    h1Lo = t;
    h1Hi = mulHi(h1Hi, h1Lo, 0, 5);
    h1Lo = Math.imul(h1Lo, 5);
    t = (h1Lo + 0x52dce729) | 0;
    h1Hi = (h1Hi + (t >>> 0 < h1Lo >>> 0 ? 1 : 0)) | 0;
    h1Lo = t;

    // k2 = block[1]; k2 *= c2; k2 = rotl64(k2, 33); k2 *= c1; h2 ^= k2
    kLo = readWord(bytes, i + 8);
    kHi = readWord(bytes, i + 12);
    kHi = mulHi(kHi, kLo, C2_HI, C2_LO);
    kLo = Math.imul(kLo, C2_LO);
    // Rotating by 33 is swapping the halves, then rotating by 1.
    t = kHi;
    kHi = (kLo << 1) | (kHi >>> 31);
    kLo = (t << 1) | (kLo >>> 31);
    kHi = mulHi(kHi, kLo, C1_HI, C1_LO);
    kLo = Math.imul(kLo, C1_LO);
    h2Hi ^= kHi;
    h2Lo ^= kLo;

    // h2 = rotl64(h2, 31); h2 += h1; h2 = h2 * 5 + 0x38495ab5
    t = h2Hi;
    h2Hi = (h2Hi << 31) | (h2Lo >>> 1);
    h2Lo = (h2Lo << 31) | (t >>> 1);
    t = (h2Lo + h1Lo) | 0;
    h2Hi = (h2Hi + h1Hi + (t >>> 0 < h2Lo >>> 0 ? 1 : 0)) | 0;
    h2Lo = t;
    h2Hi = mulHi(h2Hi, h2Lo, 0, 5);
    h2Lo = Math.imul(h2Lo, 5);
    t = (h2Lo + 0x38495ab5) | 0;
    h2Hi = (h2Hi + (t >>> 0 < h2Lo >>> 0 ? 1 : 0)) | 0;
    h2Lo = t;
  }

  state[0] = h1Hi;
  state[1] = h1Lo;
  state[2] = h2Hi;
  state[3] = h2Lo;
}

/**
 * Hashes `bytes[0, len)` on from `state` and finishes: `total` is the whole message's length, the
 * bytes `state` has taken in included.
 */
function hashFrom(state: Int32Array, bytes: Uint8Array, len: number, total: number): string {
  const blocks = len - (len & 15);
  mixBlocks(state, bytes, blocks);
  let h1Hi = state[0] as number;
  let h1Lo = state[1] as number;
  let h2Hi = state[2] as number;
  let h2Lo = state[3] as number;
  let t: number;

  // Tail of 1..15 bytes, little-endian into k1 (bytes 0..7) and k2 (bytes 8..14), as the C++
  // fall-through switch does. It runs once per hash, so a plain loop is fast enough here.
  const rem = len - blocks;
  if (rem > 0) {
    let k1Hi = 0;
    let k1Lo = 0;
    let k2Hi = 0;
    let k2Lo = 0;
    for (let j = 0; j < rem; j++) {
      const b = bytes[blocks + j]! << ((j & 3) << 3);
      if (j < 4) k1Lo |= b;
      else if (j < 8) k1Hi |= b;
      else if (j < 12) k2Lo |= b;
      else k2Hi |= b;
    }

    if (rem > 8) {
      // k2 *= c2; k2 = rotl64(k2, 33); k2 *= c1; h2 ^= k2
      k2Hi = mulHi(k2Hi, k2Lo, C2_HI, C2_LO);
      k2Lo = Math.imul(k2Lo, C2_LO);
      t = k2Hi;
      k2Hi = (k2Lo << 1) | (k2Hi >>> 31);
      k2Lo = (t << 1) | (k2Lo >>> 31);
      k2Hi = mulHi(k2Hi, k2Lo, C1_HI, C1_LO);
      k2Lo = Math.imul(k2Lo, C1_LO);
      h2Hi ^= k2Hi;
      h2Lo ^= k2Lo;
    }

    // k1 *= c1; k1 = rotl64(k1, 31); k1 *= c2; h1 ^= k1
    k1Hi = mulHi(k1Hi, k1Lo, C1_HI, C1_LO);
    k1Lo = Math.imul(k1Lo, C1_LO);
    t = k1Hi;
    k1Hi = (k1Hi << 31) | (k1Lo >>> 1);
    k1Lo = (k1Lo << 31) | (t >>> 1);
    k1Hi = mulHi(k1Hi, k1Lo, C2_HI, C2_LO);
    k1Lo = Math.imul(k1Lo, C2_LO);
    h1Hi ^= k1Hi;
    h1Lo ^= k1Lo;
  }

  // h1 ^= len; h2 ^= len, the whole message's length (into the lower halves, as a 32-bit value, like the reference); h1 += h2; h2 += h1
  h1Lo ^= total;
  h2Lo ^= total;
  t = (h1Lo + h2Lo) | 0;
  h1Hi = (h1Hi + h2Hi + (t >>> 0 < h1Lo >>> 0 ? 1 : 0)) | 0;
  h1Lo = t;
  t = (h2Lo + h1Lo) | 0;
  h2Hi = (h2Hi + h1Hi + (t >>> 0 < h2Lo >>> 0 ? 1 : 0)) | 0;
  h2Lo = t;

  // fmix64: k ^= k >>> 33; k *= 0xff51afd7ed558ccd; k ^= k >>> 33; k *= 0xc4ceb9fe1a85ec53; k ^= k >>> 33.
  // A 64-bit shift right by 33 is the upper half shifted right by 1, landing in the lower half.
  h1Lo ^= h1Hi >>> 1;
  h1Hi = mulHi(h1Hi, h1Lo, FMIX1_HI, FMIX1_LO);
  h1Lo = Math.imul(h1Lo, FMIX1_LO);
  h1Lo ^= h1Hi >>> 1;
  h1Hi = mulHi(h1Hi, h1Lo, FMIX2_HI, FMIX2_LO);
  h1Lo = Math.imul(h1Lo, FMIX2_LO);
  h1Lo ^= h1Hi >>> 1;

  h2Lo ^= h2Hi >>> 1;
  h2Hi = mulHi(h2Hi, h2Lo, FMIX1_HI, FMIX1_LO);
  h2Lo = Math.imul(h2Lo, FMIX1_LO);
  h2Lo ^= h2Hi >>> 1;
  h2Hi = mulHi(h2Hi, h2Lo, FMIX2_HI, FMIX2_LO);
  h2Lo = Math.imul(h2Lo, FMIX2_LO);
  h2Lo ^= h2Hi >>> 1;

  // h1 += h2; h2 += h1
  t = (h1Lo + h2Lo) | 0;
  h1Hi = (h1Hi + h2Hi + (t >>> 0 < h1Lo >>> 0 ? 1 : 0)) | 0;
  h1Lo = t;
  t = (h2Lo + h1Lo) | 0;
  h2Hi = (h2Hi + h1Hi + (t >>> 0 < h2Lo >>> 0 ? 1 : 0)) | 0;
  h2Lo = t;

  return hex128(h1Hi, h1Lo, h2Hi, h2Lo);
}
