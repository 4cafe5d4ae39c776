import { PassThrough, Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/** What an object's first bytes say it is. */
export const Encoding = { gzip: 'gzip', plain: 'plain' } as const;
export type Encoding = (typeof Encoding)[keyof typeof Encoding];

const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** Recognises the compression from the magic bytes, never from the file name (AWS names lie less, but users rename). */
export function detectEncoding(head: Uint8Array): Encoding {
  return head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1] ? Encoding.gzip : Encoding.plain;
}

/**
 * Turns a raw byte stream into its decompressed bytes, streaming: only the first chunk is
 * inspected. Gzip files made of several members (concatenated gzip) are read whole, as zlib does.
 * Errors of the source or of zlib (truncated or corrupt data) surface from the returned iterable.
 */
export async function decompress(source: AsyncIterable<Buffer>): Promise<AsyncIterable<Buffer>> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return Readable.from([]);
  const rest = async function* () {
    yield first.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  };
  const stage: Transform = detectEncoding(first.value) === Encoding.gzip ? createGunzip() : new PassThrough();
  const out = new PassThrough({ readableHighWaterMark: 1 << 20 });
  // The pipeline's own promise is left to reject silently: its error reaches the reader through `out`.
  pipeline(Readable.from(rest()), stage, out).catch(() => undefined);
  return out;
}
