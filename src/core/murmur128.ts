/**
 * MurmurHash3, x64 128-bit variant, giving exactly the hex digest of `murmurhash3js-revisited`'s
 * `x64.hash128`. The hashing runs in WebAssembly (core/hash.wat, Austin Appleby's public-domain
 * `MurmurHash3_x64_128`, instantiated by core/hash-module.ts): JavaScript has no 64-bit integer
 * that does not allocate, and the same code on pairs of 32-bit halves measured 4–5 times slower on
 * a flow-log line. This module copies the input into the WebAssembly memory's window (any length,
 * in window-sized parts) and reads the digest's hex digits back; nothing is allocated per hash but
 * the string the string forms return.
 */
import { Buffer } from 'node:buffer';
import { HASH, HASH_MEMORY, MURMUR_DIGEST_AT, MURMUR_STATE_AT, MURMUR_WINDOW_AT } from './hash-module.js';

const MEMORY = new Uint8Array(HASH_MEMORY);
/** h1 then h2, each as two int32 words, lower first (WebAssembly memory is little-endian, as is every platform Node runs on). */
const STATE = new Int32Array(HASH_MEMORY, MURMUR_STATE_AT, 4);
const DIGEST_TEXT = Buffer.from(HASH_MEMORY, MURMUR_DIGEST_AT, 32);

/** The input window of the WebAssembly memory: write a message here and hash it with {@link murmur3x64DigestWindow}. */
export const WINDOW: Uint8Array = MEMORY.subarray(MURMUR_WINDOW_AT);
/**
 * The 32 hex digits (lowercase ASCII) of the digest each hash writes, h1 then h2, each a big-endian
 * 64-bit number. A view of the WebAssembly memory: the next hash overwrites it.
 */
const DIGEST: Uint8Array = MEMORY.subarray(MURMUR_DIGEST_AT, MURMUR_DIGEST_AT + 32);

/** Sets the state for a new message: h1 = h2 = seed, taken modulo 2^32 (the C++ seed is a `uint32_t`). */
function seedState(seed: number): void {
  STATE[0] = seed | 0;
  STATE[1] = 0;
  STATE[2] = seed | 0;
  STATE[3] = 0;
}

/**
 * Mixes the whole blocks of `bytes[0, len)` into the state, a window at a time, and returns how
 * many it took: a multiple of 16, the rest (under a window) being left for {@link finish}.
 */
function absorb(bytes: Uint8Array, len: number): number {
  let at = 0;
  // The window's size is a multiple of 16, so each part is whole blocks.
  // Stryker disable next-line EqualityOperator: a last part of exactly a window mixed here leaves an empty tail to finish, the same digest
  while (len - at > WINDOW.length) {
    WINDOW.set(bytes.subarray(at, at + WINDOW.length));
    HASH.mix(MURMUR_STATE_AT, MURMUR_WINDOW_AT, WINDOW.length);
    at += WINDOW.length;
  }
  return at;
}

/** Hashes `bytes[0, len)` on from the state, `total` being the whole message's length; the digest goes to {@link DIGEST}. */
function finish(bytes: Uint8Array, len: number, total: number): void {
  const at = absorb(bytes, len);
  // Stryker disable next-line ConditionalExpression: the whole input needs no view, but a view of all of it copies the same bytes
  WINDOW.set(at === 0 && len === bytes.length ? bytes : bytes.subarray(at, len));
  HASH.hash128(MURMUR_STATE_AT, MURMUR_WINDOW_AT, len - at, total, MURMUR_DIGEST_AT);
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
  seedState(seed);
  finish(bytes, len, len);
  return DIGEST_TEXT.toString('latin1');
}

/**
 * The hash state after the whole 16-byte blocks of a message's constant start (a document id's
 * bucket and key), so that each message that starts with it hashes only what follows: see
 * {@link murmur3x64DigestAfter}.
 */
export interface MurmurPrefix {
  /** h1 and h2, each as two int32 words, lower first. */
  readonly state: Int32Array;
  /** How many bytes the state has taken in: a multiple of 16. */
  readonly mixed: number;
  /** The prefix's last bytes (0–15), not yet a whole block: each message hashed after it starts with them. */
  readonly rest: Uint8Array;
}

/** Mixes the whole blocks of `prefix` once (see {@link MurmurPrefix}). */
export function murmur3x64Prefix(prefix: Uint8Array, seed = 0): MurmurPrefix {
  const blocks = prefix.length - (prefix.length & 15);
  seedState(seed);
  const at = absorb(prefix, blocks);
  WINDOW.set(prefix.subarray(at, blocks));
  HASH.mix(MURMUR_STATE_AT, MURMUR_WINDOW_AT, blocks - at);
  return { state: STATE.slice(), mixed: blocks, rest: prefix.slice(blocks) };
}

/**
 * The digest of a message made of a prefix and more, equal to {@link murmur3x64Hash128} of the whole
 * message with the prefix's seed, as its hex digits in ASCII: a view that the next hash overwrites.
 * `bytes[0, len)` is the message from the prefix's first unmixed byte on: it must start with `prefix.rest`.
 */
export function murmur3x64DigestAfter(prefix: MurmurPrefix, bytes: Uint8Array, len: number): Uint8Array {
  STATE.set(prefix.state);
  finish(bytes, len, prefix.mixed + len);
  return DIGEST;
}

/**
 * {@link murmur3x64DigestAfter} of the message already in `WINDOW[0, len)` (at most the window's
 * length), with no copy: the digest is left in {@link DIGEST}, which it returns.
 */
export function murmur3x64DigestWindow(prefix: MurmurPrefix, len: number): Uint8Array {
  if (len > WINDOW.length) throw new RangeError(`a message of ${len} bytes does not fit the window of ${WINDOW.length}`);
  STATE.set(prefix.state);
  HASH.hash128(MURMUR_STATE_AT, MURMUR_WINDOW_AT, len, prefix.mixed + len, MURMUR_DIGEST_AT);
  return DIGEST;
}
