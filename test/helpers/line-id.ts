import { Buffer } from 'node:buffer';
import { lineIdBytesFactory } from '../../src/core/id.js';

/** {@link lineIdBytesFactory}'s ids read as strings, as tests compare them with documents' ids and the reference library's hashes. */
export function lineIdFactory(bucket: string, key: string): (lineNo: number, line: Uint8Array) => string {
  const idOf = lineIdBytesFactory(bucket, key);
  return (lineNo, line) => Buffer.from(idOf(lineNo, line)).toString('latin1');
}
