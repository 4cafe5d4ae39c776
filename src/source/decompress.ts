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
 * Errors of the source or of zlib (truncated or corrupt data) surface from the returned stream,
 * after every byte decoded before them. Destroying the returned stream (the caller's `finally`, a
 * reader that stops early) destroys the source too, so its socket goes back to the pool.
 */
export async function decompress(source: AsyncIterable<Buffer>): Promise<Readable> {
  const { head, stream: input } = await peek(asStream(source), GZIP_MAGIC.length);
  const stage: Transform = head !== undefined && detectEncoding(head) === Encoding.gzip ? createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES }) : new PassThrough();
  // Destroying the returned stream ends inOrder's generator, whose finally destroys the source.
  return Readable.from(inOrder(input, stage), { objectMode: false });
}

/**
 * zlib's output chunk (its default is 16 KiB). Each chunk is a round trip between the main thread
 * and the thread that inflates: gunzip + split of the bench's 1,000,000-line object took 0.69–0.84 s
 * with 16 KiB chunks and 0.42–0.50 s with 64 KiB (AMD EPYC, 2026-12-03); a CloudWatch Logs
 * subscription object 10–20 % less; the flow path, whose parsing overlapped the inflating, no
 * change above the machine's noise (BENCHMARKS.md, "Inflating in 64 KiB chunks").
 */
export const GUNZIP_CHUNK_BYTES = 64 * 1024;
/**
 * Decompressed bytes held for the reader: past them zlib is paused, and the source is read no
 * further once zlib's own buffers are full, however much one chunk of the source inflates to.
 */
export const MAX_QUEUED_BYTES = 1024 * 1024;

/**
 * Feeds `stage` from `source` and yields its output, then its end or its error, in that order, so
 * that every byte of a truncated object reaches the reader before the error (its complete lines
 * are indexed). A piped PassThrough destroyed by zlib's error dropped what it still buffered, and
 * zlib itself drops the last output unless flushed before the end: on Node 24 the fault suite lost
 * the last ~100 lines of a truncated object.
 */
async function* inOrder(source: Readable, stage: Transform): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let queuedBytes = 0;
  let ended = false;
  let failure: Error | undefined;
  const closing = new AbortController();
  let wakeReader: (() => void) | undefined;
  const wake = () => {
    wakeReader?.();
    wakeReader = undefined;
  };
  stage.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    queuedBytes += chunk.length;
    if (queuedBytes >= MAX_QUEUED_BYTES) stage.pause();
    wake();
  });
  stage.on('end', () => ((ended = true), wake()));
  stage.on('error', (err: Error) => ((failure ??= err), (ended = true), wake()));
  const feed = async () => {
    for await (const chunk of source) {
      if (closing.signal.aborted || ended) return;
      // A paused stage fills its buffers, then asks to wait here: the source is not read meanwhile.
      if (!stage.write(chunk)) await once(stage, 'drain', { signal: closing.signal });
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
        queuedBytes -= chunk.length;
        if (queuedBytes < MAX_QUEUED_BYTES && stage.isPaused()) stage.resume();
        yield chunk;
      } else if (ended) {
        if (failure) throw failure;
        return;
      } else {
        await new Promise<void>((resolve) => (wakeReader = resolve));
      }
    }
  } finally {
    // The feeder, if it waits for zlib to drain, stops (its rejection destroys a stage already destroyed).
    closing.abort();
    stage.destroy();
    // The source (an S3 body) goes too, whatever the feeder waits on: its socket returns to the pool.
    source.destroy();
  }
}
