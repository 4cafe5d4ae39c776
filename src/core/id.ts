import { murmur3x64Hash128, murmur3x64Hash128After, murmur3x64Prefix } from './murmur128.js';

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
  // Its whole blocks are hashed once per object: it is often longer than the line.
  const prefix = murmur3x64Prefix(Buffer.from(`${bucket.length}:${bucket}${key.length}:${key}`, 'utf8'));
  const rest = prefix.rest.length;
  // One scratch buffer per object, the prefix's last bytes written once: a buffer per line cost more than hashing it.
  let scratch = Buffer.allocUnsafe(rest + 256);
  scratch.set(prefix.rest, 0);
  return (lineNo, line) => {
    // `#<lineNo>:` is at most 18 bytes (a safe integer has 16 digits).
    const need = rest + 18 + line.length;
    if (need > scratch.length) {
      scratch = Buffer.allocUnsafe(need * 2);
      scratch.set(prefix.rest, 0);
    }
    let at = rest + scratch.write(`#${lineNo}:`, rest, 'latin1');
    scratch.set(line, at);
    at += line.length;
    return murmur3x64Hash128After(prefix, scratch, at);
  };
}

/** An id for a record that carries its own unique key (CloudTrail's eventID): the same event delivered twice is one document. */
export function keyId(namespace: string, key: string): string {
  return murmur3x64Hash128(Buffer.from(`${namespace}:${key}`, 'utf8'));
}
