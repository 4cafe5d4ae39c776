/**
 * SHA-1 (FIPS 180-4) of a short message, for the Community ID of every flow record, in
 * WebAssembly (core/hash.wat, instantiated by core/hash-module.ts). Node's `crypto.hash('sha1', …)`
 * gives the same digest, but each call crosses into C++ and back and makes a string the writer
 * then copies. The caller writes the message straight into {@link SHA1_INPUT} and reads the digest's
 * bytes from the view {@link sha1Short} returns: nothing is copied or allocated per message. Only
 * messages of up to {@link SHA1_MAX_SHORT} bytes are taken (they fit one padded block); a
 * Community ID input is at most 40. Tests hold it equal to `node:crypto` on random input.
 */
import { Buffer } from 'node:buffer';
import { HASH, HASH_MEMORY, SHA1_BLOCK_AT, SHA1_DIGEST_AT } from './hash-module.js';

/** The longest message one block holds: 64 bytes less the `0x80` marker and the 8-byte length. */
export const SHA1_MAX_SHORT = 55;

/** Where the message goes, for {@link sha1Short}: the hash pads it in place, so write the whole message before each call. */
export const SHA1_INPUT: Buffer = Buffer.from(HASH_MEMORY, SHA1_BLOCK_AT, 64);

const DIGEST = new Uint8Array(HASH_MEMORY, SHA1_DIGEST_AT, 20);

/**
 * The SHA-1 digest of `SHA1_INPUT[0, len)`, 20 bytes: a view that the next call overwrites.
 * @throws RangeError when `len` is not within 0 to {@link SHA1_MAX_SHORT}.
 */
export function sha1Short(len: number): Uint8Array {
  if (!(len >= 0 && len <= SHA1_MAX_SHORT)) throw new RangeError(`sha1Short takes 0 to ${SHA1_MAX_SHORT} bytes, got ${len}`);
  HASH.sha1(len);
  return DIGEST;
}
