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

/** The source as a stream (an S3 body already is one), so `pipeline` can destroy it on every failure. */
export function asStream(source: AsyncIterable<Buffer>): Readable {
  return source instanceof Readable ? source : Readable.from(source, { objectMode: false });
}

/**
 * The stream's first chunk, left in the stream: read with `for await` on an iterator that does not
 * destroy the stream when left, then put back in front with `unshift`. Undefined when it is empty.
 */
export async function peekChunk(stream: Readable): Promise<Buffer | undefined> {
  for await (const chunk of stream.iterator({ destroyOnReturn: false })) {
    stream.unshift(chunk as Buffer);
    return chunk as Buffer;
  }
  return undefined;
}

/**
 * Turns a raw byte stream into its decompressed bytes, streaming: only the first chunk is
 * inspected. Gzip files made of several members (concatenated gzip) are read whole, as zlib does.
 * Errors of the source or of zlib (truncated or corrupt data) surface from the returned stream.
 * One `pipeline` joins source, decoder and output, so destroying either end (the caller's
 * `finally`, a reader that stops early) destroys the source too and its socket goes back.
 */
export async function decompress(source: AsyncIterable<Buffer>): Promise<Readable> {
  const input = asStream(source);
  const head = await peekChunk(input);
  const stage: Transform = head !== undefined && detectEncoding(head) === Encoding.gzip ? createGunzip() : new PassThrough();
  const out = new PassThrough({ readableHighWaterMark: 1 << 20 });
  // The pipeline's own promise is left to reject silently: its error reaches the reader through `out`.
  pipeline(input, stage, out).catch(() => undefined);
  return out;
}
