import { murmur3x64Hash128 } from './murmur128.js';

/**
 * Deterministic document ids: 128-bit MurmurHash3 (x64) over the record's identity, as 32 hex
 * characters. 32-bit fingerprints collide after ~77k documents (50 %); 128 bits do not in any
 * realistic index, so ids are safe to use for de-duplication.
 *
 * The identity of a flow-log line is its bucket, key, ordinal and bytes: reading an object again
 * gives the same ids, and two identical lines at different places remain two documents.
 */
export function lineIdFactory(bucket: string, key: string): (lineNo: number, line: Uint8Array) => string {
  // Length-prefixed fields so that no two (bucket, key) pairs can produce the same byte string.
  const prefix = Buffer.from(`${bucket.length}:${bucket}${key.length}:${key}`, 'utf8');
  return (lineNo, line) => {
    const ordinal = `#${lineNo}:`;
    const input = Buffer.allocUnsafe(prefix.length + ordinal.length + line.length);
    prefix.copy(input, 0);
    input.write(ordinal, prefix.length, 'latin1');
    input.set(line, prefix.length + ordinal.length);
    return murmur3x64Hash128(input);
  };
}

/** An id for a record that carries its own unique key (CloudTrail's eventID): the same event delivered twice is one document. */
export function keyId(namespace: string, key: string): string {
  return murmur3x64Hash128(Buffer.from(`${namespace}:${key}`, 'utf8'));
}
