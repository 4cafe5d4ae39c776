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
 * The stream's first bytes (at least `min` of them unless it is shorter), and the stream to read
 * from then on, those bytes included: read with `for await` on an iterator that does not destroy
 * the stream when left, then put back in front with `unshift` (or, when the stream has already
 * ended, served from memory). `head` is undefined when it is empty. A socket may deliver one byte
 * first, so one chunk is not always enough to tell the gzip magic.
 */
export async function peek(stream: Readable, min = 1): Promise<{ head: Buffer | undefined; stream: Readable }> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream.iterator({ destroyOnReturn: false })) {
    chunks.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    if (length >= min) {
      const head = Buffer.concat(chunks, length);
      stream.unshift(head);
      return { head, stream };
    }
  }
  const head = length === 0 ? undefined : Buffer.concat(chunks, length);
  return { head, stream: Readable.from(head === undefined ? [] : [head], { objectMode: false }) };
}

/**
 * Turns a raw byte stream into its decompressed bytes, streaming: only the first chunk is
 * inspected. Gzip files made of several members (concatenated gzip) are read whole, as zlib does.
 * Errors of the source or of zlib (truncated or corrupt data) surface from the returned stream.
 * One `pipeline` joins source, decoder and output, so destroying either end (the caller's
 * `finally`, a reader that stops early) destroys the source too and its socket goes back.
 */
export async function decompress(source: AsyncIterable<Buffer>): Promise<Readable> {
  const { head, stream: input } = await peek(asStream(source), GZIP_MAGIC.length);
  const stage: Transform = head !== undefined && detectEncoding(head) === Encoding.gzip ? createGunzip() : new PassThrough();
  const out = new PassThrough({ readableHighWaterMark: 1 << 20 });
  // The pipeline's own promise is left to reject silently: its error reaches the reader through `out`.
  pipeline(input, stage, out).catch(() => undefined);
  return out;
}
