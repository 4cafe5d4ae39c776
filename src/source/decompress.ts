import { once } from 'node:events';
import { PassThrough, Readable, type Transform } from 'node:stream';
import { Gunzip, constants, createGunzip } from 'node:zlib';

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
  return inOrder(rest(), stage);
}

/** Output chunks held before the source is read further (each at most zlib's 16 KiB). */
const MAX_QUEUED = 64;

/**
 * Feeds `stage` from `source` and yields its output, then its end or its error, in that order, so
 * that every byte of a truncated object reaches the reader before the error (its complete lines
 * are indexed). A piped PassThrough destroyed by zlib's error dropped what it still buffered, and
 * zlib itself drops the last output unless flushed before the end: on Node 24 the fault suite lost
 * the last ~100 lines of a truncated object.
 */
async function* inOrder(source: AsyncIterable<Buffer>, stage: Transform): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let ended = false;
  let failure: Error | undefined;
  let closed = false;
  let wakeReader: (() => void) | undefined;
  let wakeFeeder: (() => void) | undefined;
  const wake = () => {
    wakeReader?.();
    wakeReader = undefined;
  };
  stage.on('data', (chunk: Buffer) => (queue.push(chunk), wake()));
  stage.on('end', () => ((ended = true), wake()));
  stage.on('error', (err: Error) => ((failure ??= err), (ended = true), wake()));
  const feed = async () => {
    for await (const chunk of source) {
      while (queue.length >= MAX_QUEUED && !closed) await new Promise<void>((resolve) => (wakeFeeder = resolve));
      if (closed || ended) return;
      if (!stage.write(chunk)) await once(stage, 'drain');
    }
    // zlib keeps the output of a truncated stream's last bytes until a flush; ending alone drops it.
    if (stage instanceof Gunzip) await new Promise<void>((resolve) => stage.flush(constants.Z_SYNC_FLUSH, () => resolve()));
    stage.end();
  };
  feed().catch((err: Error) => stage.destroy(err));
  try {
    for (;;) {
      const chunk = queue.shift();
      if (chunk !== undefined) {
        wakeFeeder?.();
        yield chunk;
      } else if (ended) {
        if (failure) throw failure;
        return;
      } else {
        await new Promise<void>((resolve) => (wakeReader = resolve));
      }
    }
  } finally {
    closed = true;
    wakeFeeder?.();
    stage.destroy();
  }
}
