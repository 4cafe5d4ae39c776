import { Buffer } from 'node:buffer';
import { writeDecimal } from './decimal.js';
import { WINDOW, murmur3x64DigestAfter, murmur3x64DigestWindow, murmur3x64Hash128, murmur3x64Prefix, type MurmurPrefix } from './murmur128.js';

/** `#<lineNo>:` at its longest: a safe integer has 16 digits at most. */
const LONGEST_TAG = 18;

/**
 * Deterministic document ids: 128-bit MurmurHash3 (x64) over the record's identity, as 32 hex
 * characters. 32-bit fingerprints collide after ~77k documents (50 %); 128 bits do not in any
 * realistic index, so ids are safe to use for de-duplication.
 *
 * The identity of a flow-log line is its bucket, key, ordinal and bytes: reading an object again
 * gives the same ids, and two identical lines at different places remain two documents.
 *
 * @returns the id of line `lineNo` as its 32 hex digits in ASCII: a view that the next hash
 *   overwrites, for the writer to copy into the operation (core/bulk-op.ts) without a string.
 */
export function lineIdBytesFactory(bucket: string, key: string): (lineNo: number, line: Uint8Array) => Uint8Array {
  const prefix = lineIdPrefix(bucket, key);
  const rest = prefix.rest;
  return (lineNo, line) => {
    // The prefix's last bytes, `#<lineNo>:`, the line: written straight into the hash's window.
    // A line longer than the window (64 KB less, which holds any prefix rest and line number) is
    // hashed from a copy, in window-sized parts.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the copy gives the same digest for any line; only its cost differs
    if (line.length > WINDOW.length - LONGEST_TAG - rest.length) {
      const tag = `#${lineNo}:`;
      return murmur3x64DigestAfter(prefix, Buffer.concat([rest, Buffer.from(tag, 'latin1'), line]), rest.length + tag.length + line.length);
    }
    let at = 0;
    for (; at < rest.length; at++) WINDOW[at] = rest[at] as number;
    WINDOW[at++] = 35;
    at = writeDecimal(WINDOW, at, lineNo);
    WINDOW[at++] = 58;
    WINDOW.set(line, at);
    return murmur3x64DigestWindow(prefix, at + line.length);
  };
}

/**
 * The hash state after an object's part of its lines' ids, `<bucket length>:<bucket><key length>:<key>`:
 * length-prefixed fields, so that no two (bucket, key) pairs can produce the same byte string. Its
 * whole blocks are hashed once per object: it is often longer than the line.
 */
export function lineIdPrefix(bucket: string, key: string): MurmurPrefix {
  return murmur3x64Prefix(Buffer.from(`${bucket.length}:${bucket}${key.length}:${key}`, 'utf8'));
}

/** An id for a record that carries its own unique key (CloudTrail's eventID): the same event delivered twice is one document. */
export function keyId(namespace: string, key: string): string {
  return murmur3x64Hash128(Buffer.from(`${namespace}:${key}`, 'utf8'));
}

/** The hash's window as a Buffer, to encode text straight into it. */
const WINDOW_TEXT = Buffer.from(WINDOW.buffer, WINDOW.byteOffset, WINDOW.length);
// Stryker disable next-line ConditionalExpression,LogicalOperator: a start taken for one ending in a high surrogate is only hashed the slower way
const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/**
 * {@link keyId} of keys that all start with `keyStart` (a CloudWatch Logs stream's events): the
 * start's whole blocks are hashed once, and each key's id comes as its 32 hex digits in ASCII, a
 * view that the next hash overwrites, for the writer to copy (core/bulk-op.ts) without a string.
 */
export function keyIdBytesFactory(namespace: string, keyStart: string): (keyEnd: string) => Uint8Array {
  const start = `${namespace}:${keyStart}`;
  // Encoded apart, a surrogate pair split between the start and the end would not be the pair encoded whole.
  if (isHighSurrogate(start.charCodeAt(start.length - 1))) return (keyEnd) => Buffer.from(keyId(namespace, keyStart + keyEnd), 'latin1');
  const prefix = murmur3x64Prefix(Buffer.from(start, 'utf8'));
  const rest = prefix.rest;
  return (keyEnd) => {
    // A UTF-16 unit takes at most 3 bytes: an end that might not fit the window is hashed from a copy.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the copy gives the same digest for any end; only its cost differs
    if (rest.length + 3 * keyEnd.length > WINDOW.length) {
      const message = Buffer.concat([rest, Buffer.from(keyEnd, 'utf8')]);
      return murmur3x64DigestAfter(prefix, message, message.length);
    }
    WINDOW.set(rest);
    return murmur3x64DigestWindow(prefix, rest.length + WINDOW_TEXT.write(keyEnd, rest.length, 'utf8'));
  };
}
